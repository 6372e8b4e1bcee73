package shop

import (
	"context"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// ExplainedHome is a page composed for a viewer with, row by row, what was
// left out and why: the merchandiser's preview and the health check.
type ExplainedHome struct {
	Slots         []ExplainedSlot
	Off           []OffSlot      // disabled, or outside their schedule
	NotForShopper []*models.Slot // the viewer is not in their audience

	exp    recommender.Explanation
	model  *recommender.Model
	status recommender.ItemStatus
}

// ExplainedSlot is a composed row (empty rows included) and the products
// it left out.
type ExplainedSlot struct {
	HomeSlot
	Left []Left
}

// Left is a product a row left out.
type Left struct {
	SKU     string
	Title   string // "" when the catalog no longer has it
	Why     string
	InTitle string       // the row that shows it instead, for "already on the page"
	In      *models.Slot // that row's slot
}

// itemStatus tells a product's live state from the catalog snapshot.
func itemStatus(cat *Catalog) recommender.ItemStatus {
	return func(ext string) string {
		p, ok := cat.ProductByExt(ext)
		switch {
		case !ok || !p.Active:
			return recommender.WhyInactive
		case p.Stock <= 0:
			return recommender.WhyOutOfStock
		case !p.InListings():
			return recommender.WhyNotListed
		}
		return ""
	}
}

// ExplainHome composes slots for a viewer as ComposeHome does at now, and
// explains what each row left out.
func (s *Shop) ExplainHome(ctx context.Context, v Viewer, slots []models.Slot, now time.Time) ExplainedHome {
	var h History
	if !v.OptOut {
		var err error
		if h, err = s.LoadHistory(ctx, v, s.model.Load()); err != nil {
			s.log.Warn("history unavailable", "err", err)
		}
	}
	in := s.composeInput(v, slots, h, now)
	status := itemStatus(in.cat)
	exp := recommender.Explain(in.model, in.specs, in.shopper, in.opt, status, FallbackRow(in.cat))
	out := ExplainedHome{Off: in.off, exp: exp, model: in.model, status: status}
	for _, sp := range exp.NotForShopper {
		out.NotForShopper = append(out.NotForShopper, in.bySpec[sp.ID])
	}
	composed := make([]recommender.ComposedSlot, len(exp.Slots))
	titles := map[string]string{}
	for i, es := range exp.Slots {
		composed[i] = es.ComposedSlot
		titles[es.Spec.ID] = es.Title
	}
	for i, hs := range in.homeSlots(composed, true) {
		es := ExplainedSlot{HomeSlot: hs}
		for _, l := range exp.Slots[i].Filtered {
			left := Left{SKU: l.ItemID, Why: l.Why, InTitle: titles[l.Slot], In: in.bySpec[l.Slot]}
			if l.Row > 0 {
				// The row that shows it, of the slots filling several.
				left.InTitle = exp.Slots[l.Row-1].Title
			}
			if p, ok := in.cat.ProductByExt(l.ItemID); ok {
				left.Title = p.Title
			}
			es.Left = append(es.Left, left)
		}
		out.Slots = append(out.Slots, es)
	}
	return out
}

// WhyNot answers why the product with this SKU is or is not on the page.
func (e ExplainedHome) WhyNot(sku string) []string {
	out := e.exp.WhyNot(e.model, sku, e.status)
	for _, off := range e.Off {
		title := TitlePlaceholders.Replace(off.Slot.Title)
		if title == "" {
			title = off.Slot.Type
		}
		out = append(out, "“"+title+"” is off the page: "+off.Why+".")
	}
	return out
}
