package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// campaignPrefix starts the page key of every campaign landing page.
const campaignPrefix = "l/"

// CampaignKey is the page key of the campaign served at /l/<slug>.
func CampaignKey(slug string) string { return campaignPrefix + slug }

// Slug is the campaign's address part, "" for the homepage.
func (p *Page) Slug() string {
	s, _ := strings.CutPrefix(p.Key, campaignPrefix)
	if s == p.Key {
		return ""
	}
	return s
}

// Live reports whether a campaign page is inside its window at now.
func (p *Page) Live(now time.Time) bool {
	return (p.StartsAt == nil || !now.Before(*p.StartsAt)) && (p.EndsAt == nil || now.Before(*p.EndsAt))
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$`)

// ValidSlug reports whether s can name a campaign: lowercase letters,
// digits and inner hyphens, at most 60 characters.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// ValidateCampaign checks a campaign page's slug, title and window.
func ValidateCampaign(p *Page) error {
	f := map[string]string{}
	if !ValidSlug(p.Slug()) {
		f["slug"] = "Use 1–60 lowercase letters, digits and hyphens, such as winter-sale."
	}
	p.Title = strings.TrimSpace(p.Title)
	switch n := len([]rune(p.Title)); {
	case n == 0:
		f["title"] = "Name the campaign."
	case n > 120:
		f["title"] = "Use at most 120 characters."
	}
	if p.StartsAt != nil && p.EndsAt != nil && !p.EndsAt.After(*p.StartsAt) {
		f["window"] = "The end must be after the start."
	}
	if len(f) > 0 {
		return &ValidationError{Fields: f}
	}
	return nil
}

// CampaignPages lists the campaign landing pages, by title.
func (db *DB) CampaignPages(ctx context.Context) ([]Page, error) {
	var ps []Page
	if err := db.R.WithContext(ctx).Where("key LIKE ?", campaignPrefix+"%").Order("title, id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("models: campaign pages: %w", err)
	}
	return ps, nil
}

// CampaignBySlug returns a campaign page; an unknown slug is ErrNotFound
// (never created, unlike PageByKey).
func (db *DB) CampaignBySlug(ctx context.Context, slug string) (*Page, error) {
	if !ValidSlug(slug) {
		return nil, fmt.Errorf("models: campaign %q: %w", slug, ErrNotFound)
	}
	var p Page
	if err := db.R.WithContext(ctx).Where("key = ?", CampaignKey(slug)).First(&p).Error; err != nil {
		return nil, notFound(err, "find campaign %q", slug)
	}
	return &p, nil
}

// PageByID returns a layout page.
func (db *DB) PageByID(ctx context.Context, id uint) (*Page, error) {
	var p Page
	if err := db.R.WithContext(ctx).First(&p, id).Error; err != nil {
		return nil, notFound(err, "find page %d", id)
	}
	return &p, nil
}

// SaveCampaign creates a campaign page (ID 0) or changes its title and
// window; the slug of a saved campaign does not change, so links to it
// keep working.
func (db *DB) SaveCampaign(ctx context.Context, actor string, p *Page) error {
	if err := ValidateCampaign(p); err != nil {
		return err
	}
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if p.ID == 0 {
			var n int64
			if err := tx.Model(&Page{}).Where("key = ?", p.Key).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return &ValidationError{Fields: map[string]string{"slug": "Another campaign uses /l/" + p.Slug() + "; choose another address."}}
			}
			p.DraftRevision = 1
			if err := tx.Create(p).Error; err != nil {
				return err
			}
			return audit(tx, actor, "campaign.create", p.Key, p.Title+", "+windowText(p))
		}
		var old Page
		if err := tx.First(&old, p.ID).Error; err != nil {
			return notFound(err, "find campaign %d", p.ID)
		}
		if !strings.HasPrefix(old.Key, campaignPrefix) {
			return fmt.Errorf("models: page %q is not a campaign: %w", old.Key, ErrInvalid)
		}
		upd := map[string]any{"title": p.Title, "starts_at": p.StartsAt, "ends_at": p.EndsAt}
		if err := tx.Model(&Page{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
			return err
		}
		var changes []string
		if old.Title != p.Title {
			changes = append(changes, "title “"+old.Title+"” → “"+p.Title+"”")
		}
		if w, nw := windowText(&old), windowText(p); w != nw {
			changes = append(changes, "window "+w+" → "+nw)
		}
		p.Key, p.DraftRevision, p.PublishedVersionID = old.Key, old.DraftRevision, old.PublishedVersionID
		return audit(tx, actor, "campaign.update", p.Key, strings.Join(changes, "; "))
	})
	var ve *ValidationError
	if err != nil && !errors.As(err, &ve) {
		return fmt.Errorf("models: save campaign %q: %w", p.Key, err)
	}
	return err
}

// windowText describes a campaign's live window in UTC.
func windowText(p *Page) string {
	f := func(t *time.Time, open string) string {
		if t == nil {
			return open
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	return f(p.StartsAt, "always") + " – " + f(p.EndsAt, "open-ended") + " UTC"
}
