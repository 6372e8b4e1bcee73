package shop

import (
	"context"
	"strings"

	"storefront/models"
	"storefront/search"
)

// SettingSearchSynonyms holds the merchandiser's synonym groups, one per
// line; unset means search.DefaultSynonyms.
const SettingSearchSynonyms = "search_synonyms"

// searchIndexPath keeps the index next to a SQLite file, so a restart finds
// it built; other databases get an index in memory.
func searchIndexPath(db *models.DB) string {
	if db.Path == "" || strings.Contains(db.Path, "://") || strings.HasPrefix(db.Path, ":memory:") || strings.HasPrefix(db.Path, "file:") {
		return ""
	}
	return db.Path + ".search"
}

// searchDocs lists what the search index holds: the snapshot's active
// products with their category path.
func searchDocs(c *Catalog) []search.Doc {
	docs := make([]search.Doc, 0, len(c.products))
	for i := range c.products {
		p := &c.products[i]
		if !p.Active || !p.InSearch() {
			continue // listed in categories only
		}
		var path strings.Builder
		if n := c.byCatID[p.CategoryID]; n != nil {
			for _, a := range n.Path() {
				path.WriteString(a.Name)
				path.WriteByte(' ')
			}
		}
		docs = append(docs, search.Doc{ID: p.ID, Title: p.Title, Brand: p.Brand, Category: path.String(),
			Description: p.Description, Popularity: p.Popularity})
	}
	return docs
}

// syncSearch brings the search index up to date with a catalog snapshot.
func (s *Shop) syncSearch(c *Catalog) {
	n, err := s.search.Sync(searchDocs(c))
	if err != nil {
		s.log.Error("search index update failed", "err", err)
		return
	}
	if n > 0 {
		s.log.Info("search index updated", "documents", n, "total", s.search.Len())
	}
}

// Search returns the product search index.
func (s *Shop) Search() *search.Index { return s.search }

// SaveSynonyms checks and stores a merchandiser's synonym groups and puts
// them to use at once. It returns every problem found, with line numbers,
// and stores nothing unless the whole list is good. A list that is the
// starter list (search.DefaultSynonyms, however spaced) stores nothing: the
// shop keeps following the starter list rather than a copy of it.
func (s *Shop) SaveSynonyms(ctx context.Context, actor, text string) (groups int, problems []string, err error) {
	syn, problems := search.ParseSynonyms(text)
	if problems != nil {
		return 0, problems, nil
	}
	if syn.Text() == search.Defaults().Text() {
		err = s.db.ClearSetting(ctx, actor, SettingSearchSynonyms)
	} else {
		err = s.db.SetSetting(ctx, actor, SettingSearchSynonyms, syn.Text())
	}
	if err != nil {
		return 0, nil, err
	}
	s.search.SetSynonyms(syn)
	return syn.Len(), nil, nil
}

// ResetSynonyms drops the merchandiser's list: the starter list applies.
func (s *Shop) ResetSynonyms(ctx context.Context, actor string) error {
	if err := s.db.ClearSetting(ctx, actor, SettingSearchSynonyms); err != nil {
		return err
	}
	s.search.SetSynonyms(search.Defaults())
	return nil
}

// SynonymsText is the synonym list in use, as the admin form shows it:
// the merchandiser's list if one was saved (own is true), else the
// starter list.
func (s *Shop) SynonymsText(ctx context.Context) (text string, own bool, err error) {
	const unset = "\x00"
	text, err = s.db.Setting(ctx, SettingSearchSynonyms, unset)
	if err != nil || text == unset {
		return search.DefaultSynonyms, false, err
	}
	return text, true, nil
}

// loadSynonyms applies the stored synonym groups (or the defaults).
func (s *Shop) loadSynonyms(ctx context.Context) error {
	text, err := s.db.Setting(ctx, SettingSearchSynonyms, search.DefaultSynonyms)
	if err != nil {
		return err
	}
	syn, problems := search.ParseSynonyms(text)
	if problems != nil {
		// Stored lists were checked when saved; keep what is in use.
		s.log.Warn("stored synonyms do not parse", "problem", problems[0])
		return nil
	}
	s.search.SetSynonyms(syn)
	return nil
}
