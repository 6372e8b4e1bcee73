package models

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
		snap, err := json.Marshal(slots)
		if err != nil {
			return fmt.Errorf("encode snapshot: %w", err)
		}
		v := &LayoutVersion{PageID: p.ID, Number: 1, Snapshot: string(snap), Author: SystemActor,
			Summary: fmt.Sprintf("Default homepage with %d slots, built from the shop's categories.", len(slots)), CreatedAt: time.Now().UTC()}
		if err := tx.Create(v).Error; err != nil {
			return err
		}
		upd := map[string]any{"published_version_id": v.ID, "draft_revision": p.DraftRevision + 1}
		if err := tx.Model(&Page{}).Where("id = ?", p.ID).Updates(upd).Error; err != nil {
			return err
		}
		published = true
		return audit(tx, SystemActor, "layout.publish", HomePage+" v1", v.Summary)
	})
	if err != nil {
		return false, fmt.Errorf("models: default homepage: %w", err)
	}
	return published, nil
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
func DefaultHomeSlots(depts []Department) []Slot {
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
