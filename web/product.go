package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/shop"
	"storefront/templates"
)

// parseProductID reads "123" or "123-some-slug".
func parseProductID(raw string) (uint, bool) {
	if i := strings.IndexByte(raw, '-'); i >= 0 {
		raw = raw[:i]
	}
	id, err := strconv.ParseUint(raw, 10, 32)
	if err != nil || id == 0 {
		return 0, false
	}
	return uint(id), true
}

// product shows one product and records the view (and the click, when the
// visitor came from a homepage row).
func (s *Server) product(c echo.Context) error {
	id, ok := parseProductID(c.Param("id"))
	if !ok {
		return echo.ErrNotFound
	}
	ctx := c.Request().Context()
	slot := c.QueryParam("slot")
	if !validSlotRef(slot) {
		slot = ""
	}
	// The page is the same for every viewer: served from its rendered body
	// while the catalog snapshot and the model it was built from are current,
	// except to a shopper who bought a product its rows show (they get rows
	// without what they bought, rendered for them).
	ver := s.pageVersion(c)
	key := "p" + strconv.FormatUint(uint64(id), 10) + "|" + slot
	bought := s.boughtBy(ctx, userOf(c))
	kept := false // the body everyone gets is cached, and holds what they bought
	if p, ok := ver.Catalog.Product(id); ok && "/p/"+c.Param("id") == ProductURL(p) {
		if bd, ok := s.bodies.get(key, ver); ok {
			if !anyOf(bd.related, bought) {
				s.trackProductView(c, p.ID, slot)
				b := s.base(c, p.Title)
				b.Description = truncate(p.Description, 160)
				return renderCached(c, http.StatusOK, b, bd)
			}
			kept = true
		}
	}
	// A first view renders from the same snapshot the cached bodies are
	// kept under (stock-outs and catalog edits are patched into it at
	// once); a product the snapshot does not hold yet is read.
	cat := ver.Catalog
	p, ok := cat.Product(id)
	if !ok {
		var err error
		if p, err = s.db.ProductByID(ctx, id); err != nil {
			return err
		}
	}
	canonical := ProductURL(p)
	if "/p/"+c.Param("id") != canonical {
		q := c.Request().URL.RawQuery
		if q != "" {
			canonical += "?" + q
		}
		return c.Redirect(http.StatusMovedPermanently, canonical)
	}
	s.trackProductView(c, p.ID, slot)

	vm := templates.ProductPage{Base: s.base(c, p.Title), ID: p.ID, ExternalID: p.ExternalID, Title: p.Title,
		Brand: p.Brand, Description: p.Description, PriceCents: p.PriceCents, Stock: p.Stock, Active: p.Active,
		Image: PageImageURL(p), Slot: slot}
	vm.Description = truncate(p.Description, 160)
	vm.Base.Description = vm.Description
	vm.Description = p.Description
	if n := cat.CategoryOf(p); n != nil {
		for _, a := range n.Path() {
			vm.Crumbs = append(vm.Crumbs, templates.Link{Label: a.Name, URL: "/c/" + a.Slug})
		}
	}
	vm.CompareAtCents, vm.DiscountPercent = saleCompareAt(p), p.DiscountPercent()
	vm.Details = productDetails(p, vm.Crumbs)
	vm.Options = groupOptions(cat.Group(p.GroupID), p)
	st := s.shopSettings(ctx)
	vm.Shipping, vm.Returns = firstParagraph(st.ShippingText), firstParagraph(st.ReturnsText)
	csrf := vm.CSRF
	vm.CSRF = csrfMark
	var bd body
	var err error
	personal := kept
	if !kept {
		var related []string
		vm.AlsoBought, vm.Similar, related = relatedProducts(ver, p, nil)
		if bd, err = renderBody(ctx, templates.ProductBody(vm)); err != nil {
			return err
		}
		bd.related = related
		s.bodies.put(key, ver, bd)
		personal = anyOf(related, bought)
	}
	if personal {
		// This shopper's rows go on past what they bought; their page is
		// not kept. A long history is looked up as a set: scanning 500
		// purchases for every candidate the rows passed over was most of
		// such a view (BenchmarkProductPage).
		skip := make(map[string]bool, len(bought))
		for _, id := range bought {
			skip[id] = true
		}
		vm.AlsoBought, vm.Similar, _ = relatedProducts(ver, p, skip)
		if bd, err = renderBody(ctx, templates.ProductBody(vm)); err != nil {
			return err
		}
	}
	vm.CSRF = csrf // the layout around the body (the header's logout form) needs the real token
	return renderCached(c, http.StatusOK, vm.Base, bd)
}

// boughtBy returns the products (external IDs) a signed-in shopper bought,
// which product pages do not recommend back to them: read with the
// homepage's history (shop.History.Bought) or on its own, once per viewer
// state (a purchase drops it, views and clicks do not). Anonymous visitors
// cannot buy and shoppers who opted out of personalization get the page
// everyone gets, both without a read.
func (s *Server) boughtBy(ctx context.Context, u User) []string {
	if !u.LoggedIn() {
		return nil
	}
	st := s.viewers.get(u.Key())
	v, err := s.viewerOf(ctx, st, u)
	if err != nil || v.OptOut {
		return nil
	}
	st.mu.Lock()
	switch {
	case st.histOK:
		b := st.hist.Bought
		st.mu.Unlock()
		return b
	case st.boughtOK:
		b := st.bought
		st.mu.Unlock()
		return b
	}
	st.mu.Unlock()
	_, b, err := s.db.UserItemsBought(ctx, v.Key)
	if err != nil {
		// Serve the page everyone gets rather than none.
		s.log.Warn("history unavailable", "err", err)
		return nil
	}
	st.mu.Lock()
	if !st.removed {
		st.bought, st.boughtOK = b, true
	}
	st.mu.Unlock()
	return b
}

// anyOf reports whether any of ids is in set.
func anyOf(ids, set []string) bool {
	if len(set) == 0 {
		return false
	}
	for _, id := range ids {
		if slices.Contains(set, id) {
			return true
		}
	}
	return false
}

// trackProductView records the view, and the click when the visitor came
// from a homepage row.
func (s *Server) trackProductView(c echo.Context, id uint, slot string) {
	if !tracks(c) {
		return
	}
	if slot != "" {
		s.viewers.skippedAbove(userOf(c).Key(), id, slot)
		pos, _ := strconv.Atoi(c.QueryParam("pos"))
		s.track(c, models.EventClick, id, slot, pos, "")
	}
	s.track(c, models.EventView, id, "", 0, "")
}

// relatedProducts fills the product page's rows from the model, or from
// the same category by popularity until a model is trained: from the
// catalog snapshot and model the page is cached under, without the
// products of skip (what the viewer bought). shown is the products the rows
// hold (external IDs).
func relatedProducts(ver pageVersion, p *models.Product, skip map[string]bool) (alsoBought, similar []templates.Card, shown []string) {
	cat := ver.Catalog
	if m := ver.Model; m != nil {
		avail := func(ext string) bool {
			q, ok := cat.ProductByExt(ext)
			return ok && q.InStock() && !skip[ext]
		}
		// Ranked once per model (Model.PrepareRelated); the live stock
		// picks from the ranked lists. The row's heading is the reason;
		// repeating it per card only adds noise.
		bought, like := m.RelatedGrouped(p.ExternalID, 8, avail, cat.GroupOf)
		for _, id := range bought {
			if q, ok := cat.ProductByExt(id); ok {
				alsoBought, shown = append(alsoBought, rowCard(cat, q)), append(shown, id)
			}
		}
		for _, id := range like {
			if q, ok := cat.ProductByExt(id); ok {
				similar, shown = append(similar, rowCard(cat, q)), append(shown, id)
			}
		}
		if len(similar) > 0 || len(alsoBought) > 0 {
			return alsoBought, similar, shown
		}
	}
	// Without a model: the most popular products of the same category, or
	// of its parent when the category is small.
	under := cat.CategoryOf(p)
	if under != nil && under.Parent != nil {
		under = under.Parent
	}
	groups := map[string]bool{p.GroupID: true} // one product of a group, none of the page's own
	skipped := func(q *models.Product) bool {
		if q.ID == p.ID || skip[q.ExternalID] || q.GroupID != "" && groups[q.GroupID] {
			return true
		}
		groups[q.GroupID] = q.GroupID != "" // TopIn takes every product skipped lets through
		return false
	}
	for _, q := range cat.TopIn(cat.Popular, under, 8, skipped) {
		similar, shown = append(similar, rowCard(cat, q)), append(shown, q.ExternalID)
	}
	return nil, similar, shown
}

// truncate shortens s to at most n runes, ending with "…" when cut. It
// walks only the first n runes (a product view calls it for the meta
// description of every page).
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := -1 // byte offset of rune n-1: where a cut string ends before the "…"
	i := 0
	for at := range s {
		if i == n-1 {
			cut = at
		}
		if i == n {
			return strings.TrimSpace(s[:cut]) + "…"
		}
		i++
	}
	return s
}

// validSlotRef accepts the slot references cards link with: "s<slot id>"
// or "search".
func validSlotRef(s string) bool {
	if s == "search" {
		return true
	}
	if len(s) < 2 || len(s) > 11 || s[0] != 's' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// groupOptions lists the products of a product's group (its sizes or
// colours), itself included, so a shopper on a sold-out size reaches the
// sizes in stock; nil for a product without one. Each is named by what
// its title adds to the group's name (shop.GroupLabels: "Linen Shirt –
// size M" → "M"), or by its whole title.
func groupOptions(group []*models.Product, cur *models.Product) []templates.GroupOption {
	if len(group) < 2 || !slices.ContainsFunc(group, func(q *models.Product) bool { return q.ID == cur.ID }) {
		return nil
	}
	labels := shop.GroupLabels(group)
	opts := make([]templates.GroupOption, len(group))
	for i, q := range group {
		opts[i] = templates.GroupOption{Label: labels[i], URL: ProductURL(q), Current: q.ID == cur.ID, SoldOut: !q.InStock()}
	}
	return opts
}

// productDetails lists the facts a shopper compares products on.
func productDetails(p *models.Product, crumbs []templates.Link) []templates.Detail {
	var d []templates.Detail
	if p.Brand != "" {
		d = append(d, templates.Detail{Label: "Brand", Value: p.Brand})
	}
	if len(crumbs) > 0 {
		leaf := crumbs[len(crumbs)-1]
		d = append(d, templates.Detail{Label: "Category", Value: leaf.Label, URL: leaf.URL})
	}
	avail := "In stock"
	switch {
	case !p.Active:
		avail = "No longer sold"
	case p.Stock == 0:
		avail = "Out of stock"
	case p.Stock < 10:
		avail = "Only " + strconv.Itoa(p.Stock) + " left"
	}
	d = append(d, templates.Detail{Label: "Availability", Value: avail})
	d = append(d, templates.Detail{Label: "Item number", Value: p.ExternalID})
	return d
}

// firstParagraph is the first paragraph of a merchant's text.
func firstParagraph(text string) string {
	if ps := templates.Paragraphs(text); len(ps) > 0 {
		return ps[0]
	}
	return ""
}
