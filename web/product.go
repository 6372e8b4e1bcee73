package web

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
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

	vm := s.productPage(ctx, cat, p, slot)
	vm.Base = s.base(c, p.Title)
	vm.Base.Description = truncate(p.Description, 160)
	csrf := vm.CSRF
	vm.CSRF = csrfMark
	var bd body
	var err error
	personal := kept
	if !kept {
		if bd, err = s.keepProductBody(ctx, ver, key, vm, p); err != nil {
			return err
		}
		personal = anyOf(bd.related, bought)
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
		vm.AlsoBought, vm.AlsoTitle, vm.Similar, _ = relatedProducts(ver, p, skip)
		if bd, err = renderBody(ctx, templates.ProductBody(vm)); err != nil {
			return err
		}
	}
	vm.CSRF = csrf // the layout around the body (the header's logout form) needs the real token
	return renderCached(c, http.StatusOK, vm.Base, bd)
}

// productPage is the product page of p (from snapshot cat) as everyone
// gets it, without the layout around it (Base) and its rows.
func (s *Server) productPage(ctx context.Context, cat *shop.Catalog, p *models.Product, slot string) templates.ProductPage {
	vm := templates.ProductPage{ID: p.ID, ExternalID: p.ExternalID, Title: p.Title,
		Brand: p.Brand, Description: p.Description, PriceCents: p.PriceCents, Stock: p.Stock, Active: p.Active,
		Image: PageImageURL(p), Slot: slot}
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
	return vm
}

// keepProductBody renders the body of vm (p's page, its CSRF token the
// mark) with the rows everyone gets, from ver, and keeps it under key.
func (s *Server) keepProductBody(ctx context.Context, ver pageVersion, key string, vm templates.ProductPage, p *models.Product) (body, error) {
	var related []string
	vm.AlsoBought, vm.AlsoTitle, vm.Similar, related = relatedProducts(ver, p, nil)
	bd, err := renderBody(ctx, templates.ProductBody(vm))
	if err != nil {
		return body{}, err
	}
	bd.related = related
	s.bodies.put(key, ver, bd, productShown(ver.Catalog, p, related))
	return bd, nil
}

// productShown is what a product page shows of the catalog: the product,
// its group (the option rows) and the cards of its rows (external IDs):
// another shopper's order of a row's product that leaves it in stock keeps
// the page.
func productShown(cat *shop.Catalog, p *models.Product, related []string) *shop.Shown {
	sh := cat.Shows().Product(p)
	for _, ext := range related {
		if q, ok := cat.ProductByExt(ext); ok {
			sh.Card(q)
		}
	}
	return sh
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
func relatedProducts(ver pageVersion, p *models.Product, skip map[string]bool) (alsoBought []templates.Card, alsoTitle string, similar []templates.Card, shown []string) {
	cat := ver.Catalog
	if m := ver.Model; m != nil {
		avail := func(ext string) bool {
			q, ok := cat.ProductByExt(ext)
			return ok && shop.InRows(q) && !skip[ext]
		}
		// Ranked once per model (Model.PrepareRelated); the live stock
		// picks from the ranked lists. The row's heading is the reason;
		// repeating it per card only adds noise.
		bought, like := m.RelatedGrouped(p.ExternalID, 8, avail, cat.CardKeyOf)
		// A group is shown in the page's own size when it comes in it and
		// has it on offer: the shopper on a coat in L sees the scarf in L.
		variant, variantOf := cat.Variants()
		size := ""
		if variant != nil {
			size = variant(p.ExternalID)
		}
		inSize := func(id string) string {
			if size == "" {
				return id
			}
			if o := variantOf(id, size); o != "" && avail(o) {
				return o
			}
			return id
		}
		for _, id := range bought {
			if q, ok := cat.ProductByExt(inSize(id)); ok {
				alsoBought, shown = append(alsoBought, rowCard(cat, q)), append(shown, q.ExternalID)
			}
		}
		for _, id := range like {
			if q, ok := cat.ProductByExt(inSize(id)); ok {
				similar, shown = append(similar, rowCard(cat, q)), append(shown, q.ExternalID)
			}
		}
		if len(similar) > 0 || len(alsoBought) > 0 {
			return alsoBought, alsoHeading(m, p.ExternalID, bought), similar, shown
		}
	}
	// Without a model: the most popular products of the same category, or
	// of its parent when the category is small.
	under := cat.CategoryOf(p)
	if under != nil && under.Parent != nil {
		under = under.Parent
	}
	// One product of a group (or of the listings of one item, CardKeyOf),
	// none of the page's own.
	groups := map[string]bool{cat.CardKeyOf(p.ExternalID): true}
	skipped := func(q *models.Product) bool {
		k := cat.CardKeyOf(q.ExternalID)
		if q.ID == p.ID || !q.InListings() || skip[q.ExternalID] || k != "" && groups[k] {
			return true
		}
		groups[k] = k != "" // TopIn takes every product skipped lets through
		return false
	}
	for _, q := range cat.TopIn(cat.Popular, under, 8, skipped) {
		similar, shown = append(similar, rowCard(cat, q)), append(shown, q.ExternalID)
	}
	return nil, "", similar, shown
}

// alsoHeading is the heading of a product page's first row, ids its cards:
// "Customers also bought" when most were bought together with the product,
// "Customers also viewed" when most were bought or viewed with it, else
// "You may also like". A shop without orders headed every product page's
// first row "Customers also bought" over products the model had filled it
// with for want of any.
func alsoHeading(m *recommender.Model, anchor string, ids []string) string {
	bought, viewed := m.TogetherWith(anchor, ids)
	switch n := len(ids); {
	case 2*bought >= n && bought > 0:
		return "Customers also bought"
	case 2*(bought+viewed) >= n && bought+viewed > 0:
		return "Customers also viewed"
	}
	return "You may also like"
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
// size M" → "M"), or by its whole title, in one row named for what its
// labels are ("Size"); labels of a colour and a size ("Red – S") make a
// row of colours and a row of sizes (optionGrid).
//
// A group of more than maxGroupOptions products gets none: a supplier's
// file that gives every row one group_id (a parent column filled with one
// value) made each product page list the whole catalog, 20,000 options,
// 1.8 MB and 0.6 s a page, which anyone could ask for page after page.
func groupOptions(group []*models.Product, cur *models.Product) []templates.OptionRow {
	if len(group) < 2 || len(group) > maxGroupOptions || !slices.ContainsFunc(group, func(q *models.Product) bool { return q.ID == cur.ID }) {
		return nil
	}
	labels := shop.GroupLabels(group)
	if rows := optionGrid(group, labels, cur); rows != nil {
		return rows
	}
	opts := make([]templates.GroupOption, len(group))
	for i, q := range group {
		opts[i] = templates.GroupOption{Label: labels[i], URL: ProductURL(q), Current: q.ID == cur.ID, SoldOut: !q.InStock()}
	}
	row := templates.OptionRow{Name: optionRowName(labels), Options: opts}
	if row.Name == "Size" {
		slices.SortStableFunc(row.Options, func(a, b templates.GroupOption) int { return compareSizes(a.Label, b.Label) })
	}
	return []templates.OptionRow{row}
}

// optionGrid is a row per way the products differ when their labels are
// a grid: every label has the same number of parts ("Red – S", "Navy –
// M": a colour and a size), no two alike, and each row's part changes
// alone somewhere in the group. A choice keeps the other parts of the
// page's product where the group has that combination, else leads to
// the product with that value sharing most of them (in stock first) and
// says what differs ("in Navy"). A size is sold out when the product it
// leads to is; any other value when no product having it is in stock.
// nil when the labels are not such a grid (one row then lists them).
func optionGrid(group []*models.Product, labels []string, cur *models.Product) []templates.OptionRow {
	if len(group) > maxGridProducts {
		return nil
	}
	parts := make([][]string, len(labels))
	seen := map[string]bool{}
	at := -1
	for i, l := range labels {
		parts[i] = splitOption(l)
		key := strings.Join(parts[i], "\x00")
		if len(parts[i]) < 2 || len(parts[i]) != len(parts[0]) || seen[key] {
			return nil
		}
		seen[key] = true
		if group[i].ID == cur.ID {
			at = i
		}
	}
	if at < 0 {
		return nil
	}
	var dims []int        // the parts that vary
	var values [][]string // each one's values, in the group's order
	for d := range parts[0] {
		var vs []string
		for _, p := range parts {
			if !slices.Contains(vs, p[d]) {
				vs = append(vs, p[d])
			}
		}
		if len(vs) < 2 {
			continue
		}
		if !changesAlone(parts, d) {
			return nil // "Red – S", "Navy – M": no colour comes in two sizes
		}
		dims, values = append(dims, d), append(values, vs)
	}
	if len(dims) < 2 {
		return nil
	}
	rows := make([]templates.OptionRow, len(dims))
	size := len(dims) - 1 // titles write the size last
	for r := range dims {
		if rows[r].Name = optionRowName(values[r]); rows[r].Name == "Size" {
			size = r
			slices.SortStableFunc(values[r], compareSizes)
		}
	}
	for r, d := range dims {
		for _, v := range values[r] {
			target, shared, inStock := -1, -1, false
			for i, p := range parts {
				if p[d] != v {
					continue
				}
				inStock = inStock || group[i].InStock()
				n := 0
				for _, e := range dims {
					if e != d && p[e] == parts[at][e] {
						n++
					}
				}
				if n > shared || n == shared && !group[target].InStock() && group[i].InStock() {
					target, shared = i, n
				}
			}
			o := templates.GroupOption{Label: v, URL: ProductURL(group[target]), Current: v == parts[at][d], SoldOut: !inStock}
			if r == size {
				o.SoldOut = !group[target].InStock()
			}
			var differs []string
			for _, e := range dims {
				if e != d && parts[target][e] != parts[at][e] {
					differs = append(differs, parts[target][e])
				}
			}
			if len(differs) > 0 {
				o.Note = "in " + strings.Join(differs, " – ")
			}
			rows[r].Options = append(rows[r].Options, o)
		}
	}
	return rows
}

// maxGridProducts bounds the work of laying a group out as a grid; a
// larger group is listed in one row.
const maxGridProducts = 400

// maxGroupOptions bounds the options a product page offers: a model in more
// sizes and colours than a shop sells (Shopify allows 2,048 variants; a grid
// of colours and sizes holds 400 here) is a file's mistake, not a picker.
const maxGroupOptions = 2048

// changesAlone reports whether two of the labels differ in part d only.
func changesAlone(parts [][]string, d int) bool {
	for i := range parts {
		for j := i + 1; j < len(parts); j++ {
			if parts[i][d] != parts[j][d] && sameBut(parts[i], parts[j], d) {
				return true
			}
		}
	}
	return false
}

// sameBut reports whether a and b agree in every part but d.
func sameBut(a, b []string, d int) bool {
	for e := range a {
		if e != d && a[e] != b[e] {
			return false
		}
	}
	return true
}

// splitOption splits an option label at its separators ("Red – S"), and at
// a slash between spaces, as Shopify names variants ("Red / S"); a slash
// inside a value stays ("S/M", "Navy/White").
func splitOption(label string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(label, func(r rune) bool { return r == '–' || r == '—' || r == '|' || r == ',' }) {
		for _, g := range strings.Split(strings.ReplaceAll(f, " / ", " - "), " - ") {
			if g = strings.TrimSpace(g); g != "" {
				out = append(out, g)
			}
		}
	}
	return out
}

// sizeLabel matches a size: S, XL, 3XL, 42, EU 42, UK 8.5, S/M, One size.
var sizeLabel = regexp.MustCompile(`(?i)^((x{0,3}s|m|x{0,4}l|[2-6]xl|(eu|uk|us|fr|it)?\s?\d+(\.\d|½)?)(/(x{0,3}s|m|x{0,4}l|[2-6]xl|\d+))?|one size)$`)

// colourNames are words that name a colour ("Forest Green", "Navy/White").
var colourNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`red crimson burgundy maroon wine orange rust coral peach yellow mustard gold
		green olive khaki sage mint forest teal turquoise aqua blue navy indigo denim sky cobalt purple violet lilac
		lavender plum pink rose fuchsia magenta brown chocolate tan camel beige sand taupe stone grey gray silver
		charcoal graphite black white ivory cream ecru natural multicolour multicolor terracotta emerald ochre
		mauve blush cognac oatmeal`) {
		m[w] = true
	}
	return m
}()

// compareSizes orders sizes smallest first: XS, S, M, L, XL, 3XL; then
// numbers (EU 38, 42.5); sizes it cannot read keep their order.
func compareSizes(a, b string) int {
	ka, va := sizeRank(a)
	kb, vb := sizeRank(b)
	if ka != kb {
		return ka - kb
	}
	if ka == 2 {
		return 0
	}
	return cmp.Compare(va, vb)
}

// sizeRank reads a size: kind 0 and a rank for letters (S < M < L,
// XS < S, XL < 3XL), kind 1 and the number for numbers, kind 2 else.
func sizeRank(s string) (kind int, v float64) {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.IndexByte(s, '/'); i > 0 {
		s = s[:i] // "S/M" sorts as S
	}
	xs := 0
	if len(s) > 2 && s[0] >= '2' && s[0] <= '6' && s[1] == 'x' {
		xs, s = int(s[0]-'0'), s[2:] // "3xl"
	}
	for len(s) > 1 && s[0] == 'x' {
		xs, s = xs+1, s[1:]
	}
	switch s {
	case "s":
		return 0, float64(-1 - xs)
	case "m":
		return 0, 0
	case "l":
		return 0, float64(1 + xs)
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r >= 'a' && r <= 'z' })
	if len(f) == 1 {
		if n, err := strconv.ParseFloat(strings.Replace(f[0], "½", ".5", 1), 64); err == nil {
			return 1, n
		}
	}
	return 2, 0
}

// optionRowName names a row of option values: "Size" when every value is
// a size, "Colour" when every value is one that names a colour ("Forest
// Green", not "Red – S"), else "Options".
func optionRowName(values []string) string {
	sizes, colours := true, true
	for _, v := range values {
		sizes = sizes && sizeLabel.MatchString(strings.TrimSpace(v))
		named := false
		for _, w := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ' ' || r == '/' || r == '-' }) {
			named = named || colourNames[w]
		}
		colours = colours && named && len(splitOption(v)) == 1
	}
	switch {
	case sizes:
		return "Size"
	case colours:
		return "Colour"
	}
	return "Options"
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
