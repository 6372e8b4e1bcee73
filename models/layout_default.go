package models

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"storefront/recommender"
)

// SystemActor is who changes the shop makes by itself are recorded under.
const SystemActor = "system"

// EnsureDefaultHomepage publishes a starting homepage when the shop has
// active products but its homepage has neither slots nor a published
// version: an imported shop would otherwise open on an empty page. The
// rows are the personalized ones every shop can fill (recommended for you,
// because you viewed, trending, top picks in the shopper's category, new
// arrivals, recently viewed, best sellers) plus a hero and rows for the
// shop's own largest departments. It is version 1 by "system" and is edited
// like any other layout. It reports whether it published; the check and
// the writes are one transaction, so two instances starting together
// publish once.
func (db *DB) EnsureDefaultHomepage(ctx context.Context) (bool, error) {
	if _, err := db.PageByKey(ctx, HomePage); err != nil {
		return false, err
	}
	published := false
	err := db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var p Page
		if err := tx.Where("key = ?", HomePage).First(&p).Error; err != nil {
			return notFound(err, "find page %q", HomePage)
		}
		if p.PublishedVersionID != nil {
			return nil
		}
		var n int64
		if err := tx.Model(&Slot{}).Where("page_id = ?", p.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		depts, err := departmentsBySize(tx)
		if err != nil {
			return err
		}
		if len(depts) == 0 {
			return nil // no active products yet
		}
		slots := DefaultHomeSlots(depts)
		for i := range slots {
			slots[i].PageID = p.ID
			if err := tx.Create(&slots[i]).Error; err != nil {
				return err
			}
		}
		published = true
		return publishSystemSlots(tx, &p, slots, fmt.Sprintf("Default homepage with %d slots, built from the shop's categories.", len(slots)))
	})
	if err != nil {
		return false, fmt.Errorf("models: default homepage: %w", err)
	}
	return published, nil
}

// publishSystemSlots publishes slots, already stored as p's draft, as the
// next version by the system, as publishing a draft does (publishTx).
func publishSystemSlots(tx *gorm.DB, p *Page, slots []Slot, summary string) error {
	snap, err := json.Marshal(slots)
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	v := &LayoutVersion{PageID: p.ID, Snapshot: string(snap), Author: SystemActor, Summary: summary, CreatedAt: time.Now().UTC()}
	return publishTx(tx, p, v, slots, false, "layout.publish")
}

// Department is a top-level category and how many active products sit in
// it or below it.
type Department struct {
	Category
	Products int
}

// departmentsBySize lists top-level categories that hold active products,
// largest first.
func departmentsBySize(tx *gorm.DB) ([]Department, error) {
	var cats []Category
	if err := tx.Find(&cats).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	var counts []struct {
		CategoryID uint
		N          int
	}
	err := tx.Model(&Product{}).Select("category_id, COUNT(*) AS n").Where("active = ?", true).Group("category_id").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("count products per category: %w", err)
	}
	byID := make(map[uint]*Category, len(cats))
	for i := range cats {
		byID[cats[i].ID] = &cats[i]
	}
	root := func(id uint) *Category {
		c := byID[id]
		for depth := 0; c != nil && c.ParentID != nil && depth < 64; depth++ {
			parent, ok := byID[*c.ParentID]
			if !ok {
				break
			}
			c = parent
		}
		return c
	}
	sizes := map[uint]int{}
	for _, n := range counts {
		if r := root(n.CategoryID); r != nil {
			sizes[r.ID] += n.N
		}
	}
	out := make([]Department, 0, len(sizes))
	for id, n := range sizes {
		out = append(out, Department{Category: *byID[id], Products: n})
	}
	slices.SortFunc(out, func(a, b Department) int {
		if c := cmp.Compare(b.Products, a.Products); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}

// defaultShown is how many products the default homepage's rows above the
// departments' show a new visitor: the hero's 3 and four rows of 8 (best
// sellers, recommended, trending, new arrivals).
const defaultShown = 3 + 4*8

// DefaultHomeSlots is the starting homepage for a shop whose departments
// are depts (largest first, at least one): a hero leading into the largest
// department, the shop's best sellers right under it, the personalized rows,
// and, when the catalog holds at least twice what those rows show a new
// visitor, a popular row for each of the next two departments. Best sellers come
// second: at the bottom of the page, the hero, trending and the departments'
// rows had taken its best products, so it showed the next best and the
// first publish check of every imported shop said to move it.
// A catch-all department (WooCommerce files a product without a category
// under "Uncategorized") comes after the shop's own: the hero of a shop
// whose products are mostly in it read "Discover Uncategorized".
func DefaultHomeSlots(depts []Department) []Slot {
	depts = slices.Clone(depts)
	slices.SortStableFunc(depts, func(a, b Department) int {
		return cmp.Compare(b2i(catchAll(a.Name)), b2i(catchAll(b.Name)))
	})
	top := depts[0]
	slots := []Slot{
		{Type: SlotHero, Title: "Discover " + top.Name, Subtitle: "Our most popular picks in " + top.Name + ".",
			Link: "/c/" + top.Slug, Strategy: recommender.Popular.String(), Category: top.Slug, Locked: true,
			// A visitor who opened products sees the row of what they are
			// looking at first, the hero right after it (docs/recommender.md).
			VisitFirst: true},
		{Type: SlotPopular, Title: "Best sellers"},
		{Type: SlotRecommended, Title: "Recommended for you", Strategy: recommender.Hybrid.String()},
		{Type: SlotBecauseViewed, Title: "Because you viewed {anchor}", Strategy: recommender.Similar.String()},
		{Type: SlotTrending, Title: "Trending now"},
		// Without a category the row shows the shopper's favourite one.
		{Type: SlotCategory, Title: "Top picks in {category}"},
		{Type: SlotNewArrivals, Title: "New arrivals"},
	}
	// The rows above show a new visitor about defaultShown products; in a
	// smaller catalog a department's row found them all taken and stayed
	// empty on every page (a shop of 34 products).
	total := 0
	for _, d := range depts {
		total += d.Products
	}
	if total >= 2*defaultShown {
		for _, d := range depts[1:min(3, len(depts))] {
			slots = append(slots, Slot{Type: SlotCategory, Title: "Popular in " + d.Name, Strategy: recommender.Category.String(), Category: d.Slug})
		}
	}
	slots = append(slots,
		Slot{Type: SlotRecentlyViewed, Title: "Recently viewed"},
	)
	for i := range slots {
		slots[i].Position = i + 1
		slots[i].Size = 8
		slots[i].Audience = recommender.AudienceEveryone
		slots[i].Enabled = true
	}
	return slots
}

// catchAll reports whether a department's name says it holds what has no
// department: "Uncategorized" (WooCommerce's default), "Uncategorised",
// "Other", "Misc", "No category" and the like.
func catchAll(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "uncategorized", "uncategorised", "uncategorized products", "other", "others", "misc", "misc.", "miscellaneous",
		"no category", "none", "unsorted", "unassigned", "default":
		return true
	}
	return false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RefreshDefaultHomepage rebuilds the homepage EnsureDefaultHomepage
// published when an import has since left one of the categories it names
// (the hero's department, a department's row) without active products: a
// catalog re-imported with its categories renamed or merged kept a hero
// "Discover Pots" whose "Shop now" answered "Page not found" and rows that
// came out empty. Only the system's own homepage is rebuilt, as long as
// nobody has edited or published it (one version, by "system", the draft
// as published); a homepage staff have changed is theirs and is left as it
// is. stale names the slots whose category holds no active product (in or
// below it), whether or not it rebuilt, so the import can say which.
func (db *DB) RefreshDefaultHomepage(ctx context.Context) (rebuilt bool, stale []string, err error) {
	if _, err := db.PageByKey(ctx, HomePage); err != nil {
		return false, nil, err
	}
	err = db.W.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		rebuilt, stale = false, nil
		var p Page
		if err := tx.Where("key = ?", HomePage).First(&p).Error; err != nil {
			return notFound(err, "find page %q", HomePage)
		}
		var slots []Slot
		if err := tx.Where("page_id = ?", p.ID).Order("position").Find(&slots).Error; err != nil {
			return err
		}
		held, err := categoriesHoldingProducts(tx)
		if err != nil {
			return err
		}
		for _, sl := range slots {
			if !sl.Enabled {
				continue
			}
			if slug := slotCategory(sl); slug != "" && !held[slug] {
				stale = append(stale, sl.Title)
			}
		}
		if len(stale) == 0 || p.PublishedVersionID == nil {
			return nil
		}
		var versions []LayoutVersion
		if err := tx.Where("page_id = ?", p.ID).Find(&versions).Error; err != nil {
			return err
		}
		if len(versions) != 1 || versions[0].Author != SystemActor || versions[0].ID != *p.PublishedVersionID {
			return nil // staff published it: theirs
		}
		published, err := decodeSnapshot(versions[0].Snapshot)
		if err != nil {
			return err
		}
		if !sameSlots(slots, published) {
			return nil // staff edited the draft: theirs
		}
		depts, err := departmentsBySize(tx)
		if err != nil {
			return err
		}
		if len(depts) == 0 {
			return nil
		}
		fresh := DefaultHomeSlots(depts)
		if err := tx.Where("page_id = ?", p.ID).Delete(&Slot{}).Error; err != nil {
			return err
		}
		for i := range fresh {
			fresh[i].PageID = p.ID
			if err := tx.Create(&fresh[i]).Error; err != nil {
				return err
			}
		}
		rebuilt = true
		return publishSystemSlots(tx, &p, fresh, fmt.Sprintf("Default homepage rebuilt with %d slots from the shop's categories: %s no longer %s products.",
			len(fresh), strings.Join(stale, ", "), map[bool]string{true: "holds", false: "hold"}[len(stale) == 1]))
	})
	if err != nil {
		return false, nil, fmt.Errorf("models: refresh the default homepage: %w", err)
	}
	return rebuilt, stale, nil
}

// slotCategory is the category a slot shows or leads to: its filter, else
// the category page its link opens ("" for none).
func slotCategory(sl Slot) string {
	if sl.Category != "" {
		return sl.Category
	}
	if rest, ok := strings.CutPrefix(sl.Link, "/c/"); ok {
		rest, _, _ = strings.Cut(rest, "?")
		return strings.TrimSuffix(rest, "/")
	}
	return ""
}

// categoriesHoldingProducts is the set of category slugs with an active
// product in them or below them.
func categoriesHoldingProducts(tx *gorm.DB) (map[string]bool, error) {
	var cats []Category
	if err := tx.Find(&cats).Error; err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	var ids []uint
	if err := tx.Model(&Product{}).Distinct("category_id").Where("active = ?", true).Pluck("category_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list categories with products: %w", err)
	}
	byID := make(map[uint]*Category, len(cats))
	for i := range cats {
		byID[cats[i].ID] = &cats[i]
	}
	held := map[string]bool{}
	for _, id := range ids {
		c := byID[id]
		for depth := 0; c != nil && depth < 64; depth++ {
			held[c.Slug] = true
			if c.ParentID == nil {
				break
			}
			c = byID[*c.ParentID]
		}
	}
	return held, nil
}

// sameSlots reports whether the draft a holds the slots of the published
// b, field for field (times of edits aside).
func sameSlots(a, b []Slot) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.UpdatedAt, y.UpdatedAt = time.Time{}, time.Time{}
		normalizeStrategy(&x)
		xs, err1 := json.Marshal(x)
		ys, err2 := json.Marshal(y)
		if err1 != nil || err2 != nil || string(xs) != string(ys) {
			return false
		}
	}
	return true
}
