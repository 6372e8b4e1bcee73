package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"storefront/models"
	"storefront/recommender"
	"storefront/shop"
	"storefront/templates"
)

// conflictMessage is shown when another editor changed the draft first.
const conflictMessage = "Another merchandiser changed the layout; reload to see their changes before you edit again."

// slotTypes are the slot types a merchandiser can choose, in menu order.
func slotTypes() []templates.Option {
	var out []templates.Option
	for _, k := range recommender.SlotKinds() {
		out = append(out, templates.Option{Value: string(k), Label: k.Label()})
	}
	return out
}

// slotStrategies are the strategies the slot form offers: the type's own
// rule, then every strategy some slot type accepts. Which type accepts
// which is checked on save and listed next to the menu.
func slotStrategies() (options, perType []templates.Option) {
	options = []templates.Option{{Value: "", Label: "Default for the slot type"}}
	offered := map[recommender.Strategy]bool{}
	for _, k := range recommender.SlotKinds() {
		var names []string
		for _, st := range k.Strategies() {
			offered[st] = true
			names = append(names, st.String())
		}
		uses := "its own rule (" + k.Rule() + ")"
		if len(names) > 0 {
			uses = strings.Join(names, ", ")
		}
		perType = append(perType, templates.Option{Value: k.Label(), Label: uses})
	}
	for _, st := range recommender.Strategies() {
		if offered[st] {
			options = append(options, templates.Option{Value: st.String(), Label: st.Label()})
		}
	}
	return options, perType
}

// pickFields are the slot fields that hold comma-separated product SKUs.
var pickFields = []string{"pins", "boosts", "excludes"}

const datetimeLocal = "2006-01-02T15:04"

// adminLayout lists the draft slots of the homepage.
func (s *Server) adminLayout(c echo.Context) error {
	vm, err := s.layoutPage(c)
	if err != nil {
		return err
	}
	if c.QueryParam("conflict") == "1" {
		// The drag-and-drop script lands here after a 409.
		vm.Conflict = conflictMessage
	}
	return render(c, http.StatusOK, templates.AdminLayoutEditor(vm))
}

func (s *Server) layoutPage(c echo.Context) (templates.AdminLayoutPage, error) {
	ed := editedPageOf(c)
	ctx := c.Request().Context()
	vm := templates.AdminLayoutPage{AdminBase: s.adminBase(c, ed.view.Name, ed.nav("layout")), Page: ed.view}
	slots, rev, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return vm, err
	}
	vm.Revision = rev
	for i, sl := range slots {
		vm.Slots = append(vm.Slots, slotRow(sl, i == 0, i == len(slots)-1, s.shopZone(c)))
	}
	published, v, err := s.db.PublishedLayout(ctx, ed.key)
	if err != nil {
		return vm, err
	}
	if ed.key != models.HomePage {
		p, err := s.db.PageByKey(ctx, ed.key)
		if err != nil {
			return vm, err
		}
		f := campaignFields(p, s.shopZone(c))
		vm.Campaign, vm.CampaignLive = &f, p.Live(time.Now())
		vm.CampaignWindow = campaignWindow(p, s.shopZone(c))
	}
	if v == nil {
		vm.Pending = "This page has never been published; shoppers see the draft."
	} else {
		vm.Published = fmt.Sprintf("Version %d, published by %s on %s.", v.Number, v.Author, templates.LocalTime(c.Request().Context(), v.CreatedAt))
		if d := models.DiffSummary(published, slots); d != "No changes." {
			vm.Pending = d
		}
	}
	return vm, nil
}

// slotRow is a slot as the layout list shows it, its schedule in the
// shop's time zone loc (nil: UTC).
func slotRow(sl models.Slot, first, last bool, loc *time.Location) templates.AdminSlotRow {
	r := templates.AdminSlotRow{ID: sl.ID, Type: sl.Type, Title: sl.Title, Strategy: sl.Strategy, Size: sl.Size,
		Audience: sl.Audience, Category: sl.Category, Brands: strings.Join(splitList(sl.Brands), ", "), MinPrice: sl.MinPrice, MaxPrice: sl.MaxPrice,
		Locked: sl.Locked, VisitFirst: sl.VisitFirst, Enabled: sl.Enabled,
		Pins: len(splitList(sl.Pins)), First: first, Last: last}
	if r.Title == "" {
		r.Title = "(untitled " + sl.Type + ")"
	}
	r.Schedule = scheduleText(sl.StartsAt, sl.EndsAt, time.Now(), loc)
	return r
}

func scheduleText(start, end *time.Time, now time.Time, loc *time.Location) string {
	loc = zoneOr(loc)
	f := func(t *time.Time) string { return t.In(loc).Format("Jan 2 15:04") }
	zone := " " + loc.String()
	switch {
	case start == nil && end == nil:
		return "Always"
	case end != nil && now.After(*end):
		return "Ended " + f(end) + zone
	case start != nil && end != nil:
		return f(start) + " – " + f(end) + zone
	case start != nil:
		return "From " + f(start) + zone
	default:
		return "Until " + f(end) + zone
	}
}

// zoneOr is loc, or UTC for nil.
func zoneOr(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

// priceIn writes amounts in the shop's currency and number format, as the
// request's pages do.
func priceIn(ctx context.Context) func(int64) string {
	return func(cents int64) string { return templates.Price(ctx, cents) }
}

// shopZone is the shop's time zone (settings), in which merchandisers
// enter and read schedules.
func (s *Server) shopZone(c echo.Context) *time.Location {
	return zoneOr(s.shopSettings(c.Request().Context()).Location())
}

// layoutConflict shows the fresh layout with the conflict notice.
func (s *Server) layoutConflict(c echo.Context) error {
	vm, err := s.layoutPage(c)
	if err != nil {
		return err
	}
	vm.Conflict = conflictMessage
	return render(c, http.StatusConflict, templates.AdminLayoutEditor(vm))
}

// layoutDone finishes a layout change: a conflict shows the notice, success
// returns to the editor with a message.
func (s *Server) layoutDone(c echo.Context, err error, msg string) error {
	ed := editedPageOf(c)
	if errors.Is(err, models.ErrConflict) {
		return s.layoutConflict(c)
	}
	if err != nil {
		return err
	}
	if msg != "" {
		s.flash(c, msg)
	}
	return c.Redirect(http.StatusSeeOther, ed.view.Editor)
}

func (s *Server) adminSlotNew(c echo.Context) error {
	ed := editedPageOf(c)
	_, rev, err := s.db.DraftSlots(c.Request().Context(), ed.key)
	if err != nil {
		return err
	}
	vm := s.slotForm(c, "Add a slot")
	vm.Revision = rev
	vm.F = templates.SlotFields{Type: models.SlotPopular, Size: "8", Audience: recommender.AudienceEveryone, Enabled: true}
	return render(c, http.StatusOK, templates.AdminSlotEdit(vm))
}

func (s *Server) adminSlotEdit(c echo.Context) error {
	ed := editedPageOf(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, rev, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return err
	}
	sl, err := s.editedSlot(c, id)
	if err != nil {
		return err
	}
	vm := s.slotForm(c, "Edit slot")
	vm.ID, vm.Revision, vm.F = sl.ID, rev, slotFields(c.Request().Context(), sl, s.shopZone(c))
	vm.IsBanner = sl.Type == models.SlotBanner
	for _, cr := range sl.Creatives {
		vm.Creatives = append(vm.Creatives, templates.AdminCreativeRow{ID: cr.ID, Title: cr.Title, Link: cr.Link, Category: cr.Category, Image: cr.Image})
	}
	return render(c, http.StatusOK, templates.AdminSlotEdit(vm))
}

func (s *Server) slotForm(c echo.Context, title string) templates.AdminSlotFormPage {
	ed := editedPageOf(c)
	vm := templates.AdminSlotFormPage{AdminBase: s.adminBase(c, title, ed.nav("layout")), Page: ed.view, Types: slotTypes(), Zone: s.shopZone(c).String()}
	vm.Strategies, vm.StrategiesByType = slotStrategies()
	vm.Categories = []templates.Option{{Value: "", Label: "(any category)"}}
	for _, a := range recommender.Audiences() {
		vm.Audiences = append(vm.Audiences, templates.Option{Value: a[0], Label: a[1]})
	}
	if cat := s.shop.Catalog(); cat != nil {
		searchOnly := cat.SearchOnly()
		var walk func(ns []*CatNode, depth int)
		walk = func(ns []*CatNode, depth int) {
			for _, n := range ns {
				label := strings.Repeat("— ", depth) + n.Name
				// Still offered, so a slot can be set up before a season
				// and an existing slot keeps its category, but said: such a
				// row shows shoppers nothing until a product is on sale.
				shown := label
				switch {
				case searchOnly[n.ID]:
					shown += " (found by search only: no row shows its products)"
				case !cat.Listed(n):
					shown += " (nothing on sale)"
				}
				vm.Categories = append(vm.Categories, templates.Option{Value: n.Slug, Label: shown})
				vm.Audiences = append(vm.Audiences, templates.Option{Value: recommender.AudienceAffinity + n.Slug, Label: "Shoppers who like " + label})
				walk(n.Children, depth+1)
			}
		}
		walk(cat.Roots, 0)
	}
	vm.LinkExample, vm.BrandsExample = linkExample(s.shop.Catalog()), brandsExample(s.shop.Catalog())
	return vm
}

func slotFields(ctx context.Context, sl *models.Slot, loc *time.Location) templates.SlotFields {
	f := templates.SlotFields{Type: sl.Type, Title: sl.Title, Subtitle: sl.Subtitle, Strategy: sl.Strategy,
		Size: strconv.Itoa(sl.Size), Category: sl.Category, Brands: strings.Join(splitList(sl.Brands), ", "), Pins: sl.Pins, Boosts: sl.Boosts,
		Excludes: sl.Excludes, Audience: sl.Audience, Locked: sl.Locked, VisitFirst: sl.VisitFirst, Enabled: sl.Enabled, Link: sl.Link}
	if sl.MinPrice > 0 {
		f.MinPrice = templates.PlainAmount(ctx, sl.MinPrice)
	}
	if sl.MaxPrice > 0 {
		f.MaxPrice = templates.PlainAmount(ctx, sl.MaxPrice)
	}
	if sl.StartsAt != nil {
		f.StartsAt = sl.StartsAt.In(zoneOr(loc)).Format(datetimeLocal)
	}
	if sl.EndsAt != nil {
		f.EndsAt = sl.EndsAt.In(zoneOr(loc)).Format(datetimeLocal)
	}
	return f
}

// readSlotForm copies the posted fields onto sl and reports field errors.
func (s *Server) readSlotForm(c echo.Context, sl *models.Slot) (templates.SlotFields, map[string]string) {
	f := templates.SlotFields{
		Type: c.FormValue("type"), Title: strings.TrimSpace(c.FormValue("title")), Subtitle: strings.TrimSpace(c.FormValue("subtitle")),
		Strategy: c.FormValue("strategy"), Size: strings.TrimSpace(c.FormValue("size")), Category: c.FormValue("category"),
		MinPrice: strings.TrimSpace(c.FormValue("min_price")),
		MaxPrice: strings.TrimSpace(c.FormValue("max_price")), Pins: normalizeList(c.FormValue("pins")),
		Boosts: normalizeList(c.FormValue("boosts")), Excludes: normalizeList(c.FormValue("excludes")),
		Audience: c.FormValue("audience"), StartsAt: c.FormValue("starts_at"), EndsAt: c.FormValue("ends_at"),
		Locked: c.FormValue("locked") == "true", VisitFirst: c.FormValue("visit_first") == "true",
		Enabled: c.FormValue("enabled") == "true", Link: strings.TrimSpace(c.FormValue("link")),
	}
	errs := map[string]string{}
	cat := s.shop.Catalog()
	brands, unknownBrands := catalogBrands(c.FormValue("brands"), cat.Brands)
	f.Brands = strings.Join(brands, ", ")
	switch {
	case len(brands) > models.MaxSlotBrands:
		errs["brands"] = fmt.Sprintf("List at most %d brands; this list has %d.", models.MaxSlotBrands, len(brands))
	case len(unknownBrands) > 0:
		errs["brands"] = "No product has the brand " + namedFew(unknownBrands) + "."
	}
	sl.Type, sl.Title, sl.Subtitle, sl.Category, sl.Brands = f.Type, f.Title, f.Subtitle, f.Category, shop.JoinList(brands)
	sl.Pins, sl.Boosts, sl.Excludes, sl.Audience, sl.Locked, sl.Enabled, sl.Link = f.Pins, f.Boosts, f.Excludes, f.Audience, f.Locked, f.Enabled, f.Link
	sl.VisitFirst = f.VisitFirst
	sl.Strategy = f.Strategy // checked against the type by models.ValidateSlot
	sl.Size = 0
	if f.Size != "" {
		n, err := strconv.Atoi(f.Size)
		if err != nil {
			errs["size"] = "Enter a whole number of products."
		}
		sl.Size = n
	}
	var err error
	var problem string
	if sl.MinPrice, problem = s.parseOptionalAmount(c.Request().Context(), f.MinPrice); problem != "" {
		errs["price"] = "Min: " + problem
	}
	if sl.MaxPrice, problem = s.parseOptionalAmount(c.Request().Context(), f.MaxPrice); problem != "" {
		errs["price"] = "Max: " + problem
	}
	if sl.StartsAt, err = parseDatetimeLocal(f.StartsAt, s.shopZone(c)); err != nil {
		errs["schedule"] = "Enter the start as a date and time."
	}
	if sl.EndsAt, err = parseDatetimeLocal(f.EndsAt, s.shopZone(c)); err != nil {
		errs["schedule"] = "Enter the end as a date and time."
	}
	if f.Category != "" {
		if _, ok := cat.CategoryBySlug(f.Category); !ok {
			errs["category"] = "Choose a category."
		}
	}
	if slug, ok := strings.CutPrefix(f.Audience, recommender.AudienceAffinity); ok {
		if _, known := cat.CategoryBySlug(slug); !known {
			errs["audience"] = "Choose an audience."
		}
	}
	for _, field := range pickFields {
		skus := splitList(map[string]string{"pins": f.Pins, "boosts": f.Boosts, "excludes": f.Excludes}[field])
		if len(skus) > models.MaxSlotProducts {
			errs[field] = fmt.Sprintf("List at most %d SKUs; this list has %d.", models.MaxSlotProducts, len(skus))
			continue
		}
		var unknown []string
		for _, sku := range skus {
			if _, ok := cat.ProductByExt(sku); !ok {
				unknown = append(unknown, sku)
			}
		}
		if len(unknown) > 0 {
			errs[field] = "No product has the SKU " + namedFew(unknown) + "."
		}
	}
	if errs["pins"] == "" {
		// A row is a listing (shop.InRows): it never shows a product the
		// catalog lists nowhere, pinned or not.
		var unlisted []string
		for _, sku := range splitList(f.Pins) {
			if p, ok := cat.ProductByExt(sku); ok && !p.InListings() {
				unlisted = append(unlisted, sku+" ("+p.Title+")")
			}
		}
		if len(unlisted) > 0 {
			is := " is"
			if len(unlisted) > 1 {
				is = " are"
			}
			errs["pins"] = strings.Join(unlisted, ", ") + is + " found by search only (the visibility of an import), and rows show what the catalog lists: unpin it, or import it with the visibility \"Catalog, Search\"."
		}
	}
	if errs["pins"] == "" && errs["category"] == "" && errs["price"] == "" {
		if msg := pinsOutsideFilters(cat, sl, priceIn(c.Request().Context())); msg != "" {
			errs["pins"] = msg + ". A pin must meet the slot's filters: unpin it or widen the filters."
		}
	}
	if f.Link != "" && !validSlotLink(f.Link) {
		errs["link"] = linkError(cat)
	}
	if f.Type == models.SlotCollection && f.Pins == "" {
		errs["pins"] = "A collection shows its pinned products: pin at least one."
	}
	if err := models.ValidateSlot(sl); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			for k, v := range ve.Fields {
				if _, dup := errs[k]; !dup {
					errs[k] = v
				}
			}
		}
	}
	return f, errs
}

// pinsOutsideFilters names the slot's pins its own filters leave out, and
// how, or is "" when every pin meets them.
func pinsOutsideFilters(cat *Catalog, sl *models.Slot, money func(int64) string) string {
	var out []string
	for _, sku := range splitList(sl.Pins) {
		if p, ok := cat.ProductByExt(sku); ok {
			if why := cat.PinOutsideFilters(sl, p, money); why != "" {
				out = append(out, sku+" ("+p.Title+") "+why)
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "; ")
}

// validSlotLink accepts what the form promises: a path on this site or an
// https:// address, nothing a browser could read differently.
// linkExample is one of the shop's category pages, for the forms' hints:
// the category with the most products in stock, else the first; "/c/…"
// for a shop without categories.
func linkExample(cat *shop.Catalog) string {
	if cat == nil || len(cat.Roots) == 0 {
		return "/c/…"
	}
	best, most := cat.Roots[0], -1
	for _, r := range cat.Roots {
		n := 0
		for _, id := range cat.Popular {
			if p, ok := cat.Product(id); ok && slices.Contains(r.Descendants, p.CategoryID) {
				n++
			}
		}
		if n > most {
			best, most = r, n
		}
	}
	return "/c/" + best.Slug
}

// brandsExample is two of the shop's brands, its most popular ones, for the
// brands field's hint; neutral wording for a shop without brands.
func brandsExample(cat *shop.Catalog) string {
	var brands []string
	if cat != nil {
		for _, id := range cat.Popular {
			p, ok := cat.Product(id)
			if !ok {
				continue
			}
			if b := strings.TrimSpace(p.Brand); b != "" && !slices.Contains(brands, b) {
				if brands = append(brands, b); len(brands) == 2 {
					break
				}
			}
		}
	}
	if len(brands) == 0 {
		return "Brand names, comma-separated"
	}
	return strings.Join(brands, ", ")
}

// linkError explains a link the forms refuse, with one of the shop's own
// category pages as the example.
func linkError(cat *shop.Catalog) string {
	if ex := linkExample(cat); ex != "/c/…" {
		return "Use a path in the shop such as " + ex + ", or an https:// address."
	}
	return "Use a path in the shop (starting with /), or an https:// address."
}

func validSlotLink(l string) bool {
	if strings.ContainsAny(l, " \"'<>`") {
		return false
	}
	if localPath(l) {
		return true
	}
	if !strings.HasPrefix(l, "https://") || hasControlOrBackslash(l) {
		return false
	}
	u, err := url.Parse(l)
	// The host is written as it is read: no percent-escapes (url.Parse
	// decodes them, a browser would not take them as the same address)
	// and no bytes that are not UTF-8.
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && u.Hostname() != "" &&
		strings.HasPrefix(l, "https://"+u.Host) && utf8.ValidString(u.Host)
}

func parseDatetimeLocal(v string, loc *time.Location) (*time.Time, error) {
	if v = strings.TrimSpace(v); v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(datetimeLocal, v, zoneOr(loc))
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// parseOptionalAmount reads an amount that may be left empty (0).
func (s *Server) parseOptionalAmount(ctx context.Context, v string) (int64, string) {
	if strings.TrimSpace(v) == "" {
		return 0, ""
	}
	return s.parseAmount(ctx, v)
}

// normalizeList trims the entries of a comma-separated list and drops
// empties and duplicates, in time linear in the list (a form may send
// hundreds of thousands; the caller bounds what is kept).
func normalizeList(v string) string {
	var out []string
	seen := map[string]bool{}
	for _, x := range splitList(v) {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return shop.JoinList(out) // an id with a comma stays one id
}

// namedFew lists the first few of items for a message and counts the rest,
// so that a message stays short whatever a form sent.
func namedFew(items []string) string {
	const few = 10
	if len(items) <= few {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:few], ", ") + fmt.Sprintf(" and %d more", len(items)-few)
}

// catalogBrands reads the slot form's comma-separated brands as the
// catalog spells them: parts that together make a brand of the catalog
// ("Hachette", " Ltd." → "Hachette, Ltd.") are one brand, the longest such
// run first; case and spaces do not matter. Brands no product has are
// listed apart.
//
// A run is tried only as long as the catalog's brand of the most parts (a
// run of more parts holds more commas than any brand), so the time is
// linear in the list, whatever a form sends.
func catalogBrands(v string, known []string) (brands, unknown []string) {
	byKey := make(map[string]string, len(known))
	longest := 1 // parts of the catalog's brand of the most commas
	for _, b := range known {
		if b != "" {
			byKey[strings.ToLower(strings.Join(strings.Fields(b), " "))] = b
			longest = max(longest, strings.Count(b, ",")+1)
		}
	}
	var parts []string
	for _, p := range strings.Split(v, ",") {
		parts = append(parts, strings.Join(strings.Fields(p), " "))
	}
	listed := map[string]bool{}
	for i := 0; i < len(parts); i++ {
		if parts[i] == "" {
			continue
		}
		name, next := parts[i], i
		found := false
		for j := min(len(parts), i+longest) - 1; j >= i; j-- {
			if b, ok := byKey[strings.ToLower(strings.Join(parts[i:j+1], ", "))]; ok {
				name, next, found = b, j, true
				break
			}
		}
		i = next
		if listed[name] {
			continue
		}
		listed[name] = true
		brands = append(brands, name)
		if !found {
			unknown = append(unknown, name)
		}
	}
	return brands, unknown
}

// adminSlotSave creates (no id) or updates a draft slot.
func (s *Server) adminSlotSave(c echo.Context) error {
	ed := editedPageOf(c)
	ctx := c.Request().Context()
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	sl := &models.Slot{}
	title := "Add a slot"
	if c.Param("id") != "" {
		id, err := paramID(c)
		if err != nil {
			return err
		}
		if sl, err = s.editedSlot(c, id); err != nil {
			return err
		}
		title = "Edit slot"
	}
	f, errs := s.readSlotForm(c, sl)
	vm := s.slotForm(c, title)
	vm.ID, vm.Revision, vm.F, vm.Errors = sl.ID, rev, f, errs
	if len(errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, templates.AdminSlotEdit(vm))
	}
	err = s.db.SaveSlot(ctx, ed.key, rev, staffName(c), sl)
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		vm.Errors = ve.Fields
		return render(c, http.StatusUnprocessableEntity, templates.AdminSlotEdit(vm))
	case errors.Is(err, models.ErrConflict):
		vm.Conflict = conflictMessage
		return render(c, http.StatusConflict, templates.AdminSlotEdit(vm))
	case err != nil:
		return err
	}
	s.flash(c, "Saved “"+slotRow(*sl, false, false, s.shopZone(c)).Title+"” in the draft. Publish to show it to shoppers.")
	return c.Redirect(http.StatusSeeOther, ed.view.Editor)
}

// adminSlotDeleteConfirm asks before removing, so removal works (and is
// still confirmed) without JavaScript.
func (s *Server) adminSlotDeleteConfirm(c echo.Context) error {
	ed := editedPageOf(c)
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sl, err := s.editedSlot(c, id)
	if err != nil {
		return err
	}
	_, rev, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return err
	}
	vm := templates.AdminSlotDeletePage{AdminBase: s.adminBase(c, "Remove slot", ed.nav("layout")), Page: ed.view, Slot: slotRow(*sl, false, false, s.shopZone(c)), Revision: rev}
	return render(c, http.StatusOK, templates.AdminSlotDelete(vm))
}

func (s *Server) adminSlotDelete(c echo.Context) error {
	ed := editedPageOf(c)
	id, rev, err := slotRevision(c)
	if err != nil {
		return err
	}
	err = s.db.DeleteSlot(c.Request().Context(), ed.key, rev, staffName(c), id)
	return s.layoutDone(c, err, "Removed the slot from the draft.")
}

// adminSlotToggle flips a slot's enabled or locked flag.
func (s *Server) adminSlotToggle(c echo.Context) error {
	ed := editedPageOf(c)
	id, rev, err := slotRevision(c)
	if err != nil {
		return err
	}
	field := c.FormValue("field")
	cur, err := s.editedSlot(c, id)
	if err != nil {
		return err
	}
	var on bool
	switch field {
	case "enabled":
		on = !cur.Enabled
	case "locked":
		on = !cur.Locked
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Choose enabled or locked.")
	}
	sl, err := s.db.SetSlotFlag(c.Request().Context(), ed.key, rev, staffName(c), id, field, on)
	if err != nil {
		return s.layoutDone(c, err, "")
	}
	msg := map[string]map[bool]string{"enabled": {true: "Enabled", false: "Disabled"}, "locked": {true: "Locked the position of", false: "Unlocked"}}[field][on]
	return s.layoutDone(c, nil, msg+" “"+slotRow(*sl, false, false, s.shopZone(c)).Title+"” in the draft.")
}

// adminSlotMove is the no-JavaScript way to reorder: one place up or down.
func (s *Server) adminSlotMove(c echo.Context) error {
	ed := editedPageOf(c)
	id, rev, err := slotRevision(c)
	if err != nil {
		return err
	}
	delta := 0
	switch c.FormValue("dir") {
	case "up":
		delta = -1
	case "down":
		delta = 1
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Move up or down.")
	}
	err = s.db.MoveSlot(c.Request().Context(), ed.key, rev, staffName(c), id, delta)
	return s.layoutDone(c, err, "")
}

// adminLayoutReorder saves the order the drag-and-drop list posts.
func (s *Server) adminLayoutReorder(c echo.Context) error {
	ed := editedPageOf(c)
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	var ids []uint
	for _, f := range splitList(c.FormValue("ids")) {
		id, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The new order lists an unknown slot.")
		}
		ids = append(ids, uint(id))
	}
	err = s.db.ReorderSlots(c.Request().Context(), ed.key, rev, staffName(c), ids)
	if errors.Is(err, models.ErrInvalid) {
		return echo.NewHTTPError(http.StatusBadRequest, "The new order must list every slot once. Reload and try again.")
	}
	if err == nil && c.Request().Header.Get("X-Requested-With") == "fetch" {
		// The script reloads the page itself; keep the message for that load.
		s.flash(c, "Saved the new order in the draft.")
		return c.NoContent(http.StatusNoContent)
	}
	return s.layoutDone(c, err, "Saved the new order in the draft.")
}

// adminSlotAddProduct adds a SKU to a slot's pins, boosts or excludes: the
// no-JavaScript product picker.
func (s *Server) adminSlotAddProduct(c echo.Context) error {
	ed := editedPageOf(c)
	id, rev, err := slotRevision(c)
	if err != nil {
		return err
	}
	field, sku := c.FormValue("field"), strings.TrimSpace(c.FormValue("sku"))
	if !slices.Contains(pickFields, field) {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose pins, boosts or excludes.")
	}
	if _, ok := s.shop.Catalog().ProductByExt(sku); !ok {
		return echo.NewHTTPError(http.StatusBadRequest, "No product has that SKU.")
	}
	ctx := c.Request().Context()
	sl, err := s.editedSlot(c, id)
	if err != nil {
		return err
	}
	list := map[string]*string{"pins": &sl.Pins, "boosts": &sl.Boosts, "excludes": &sl.Excludes}[field]
	if field == "pins" {
		if msg := pinsOutsideFilters(s.shop.Catalog(), &models.Slot{Type: sl.Type, Category: sl.Category, Brands: sl.Brands,
			MinPrice: sl.MinPrice, MaxPrice: sl.MaxPrice, Pins: shop.JoinList([]string{sku})}, priceIn(ctx)); msg != "" {
			// Not pinned: the slot's form says why.
			vm := s.slotForm(c, "Edit slot")
			vm.ID, vm.Revision, vm.F = sl.ID, rev, slotFields(c.Request().Context(), sl, s.shopZone(c))
			vm.Errors = map[string]string{"pins": "Not pinned: " + msg + ". Widen the slot's filters to pin it."}
			return render(c, http.StatusUnprocessableEntity, templates.AdminSlotEdit(vm))
		}
	}
	skus := splitList(*list)
	if !slices.Contains(skus, sku) && len(skus) >= models.MaxSlotProducts {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, fmt.Sprintf("The slot's %s already list %d SKUs, the most a slot holds: remove one first.", field, models.MaxSlotProducts))
	}
	*list = normalizeList(shop.JoinList(append(skus, sku)))
	err = s.db.SaveSlot(ctx, ed.key, rev, staffName(c), sl)
	if errors.Is(err, models.ErrConflict) {
		return s.layoutConflict(c)
	}
	if err != nil {
		return err
	}
	s.flash(c, "Added "+sku+" to the "+field+" of “"+slotRow(*sl, false, false, s.shopZone(c)).Title+"”.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/slots/%d/edit", ed.view.Editor, sl.ID))
}

// adminProductSearch is the product picker: an htmx fragment inside the
// slot form, or a whole page without JavaScript.
func (s *Server) adminProductSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	vm := templates.AdminPickerPage{AdminBase: s.adminBase(c, "Find products", "layout"), Page: homeEditorView, Q: q}
	if id, err := strconv.ParseUint(c.QueryParam("slot"), 10, 32); err == nil && id > 0 {
		// The picker serves every page's slots: the slot says which page.
		ctx := c.Request().Context()
		sl, err := s.db.SlotByID(ctx, uint(id))
		if err != nil {
			return err
		}
		pg, err := s.db.PageByID(ctx, sl.PageID)
		if err != nil {
			return err
		}
		ed := editorOf(pg)
		_, rev, err := s.db.DraftSlots(ctx, ed.key)
		if err != nil {
			return err
		}
		vm.Page, vm.Active = ed.view, ed.nav("layout")
		vm.SlotID, vm.SlotTitle, vm.Revision = sl.ID, slotRow(*sl, false, false, s.shopZone(c)).Title, rev
	}
	if q != "" {
		cat := s.shop.Catalog()
		// As the merchandiser types: the last word counts as a prefix.
		ids, err := s.shop.Search().Suggest(c.Request().Context(), q, 20)
		if err != nil {
			return err
		}
		vm.Total = len(ids)
		if p, ok := cat.ProductByExt(q); ok {
			vm.Hits = append(vm.Hits, productHit(p))
		}
		seen := map[uint]bool{}
		for _, h := range vm.Hits {
			seen[h.ID] = true
		}
		for _, id := range ids {
			if p, ok := cat.Product(id); ok && !seen[id] {
				vm.Hits, seen[id] = append(vm.Hits, productHit(p)), true
			}
		}
		// Then the staff catalog's match, without case or accents: "muller"
		// finds Müller, which the shop's prefix suggestions do not.
		if len(vm.Hits) < 20 {
			more, _, err := s.db.AdminProducts(c.Request().Context(), models.AdminProductQuery{Q: q, PerPage: 20})
			if err != nil {
				return err
			}
			for i := range more {
				if p, ok := cat.Product(more[i].ID); ok && !seen[p.ID] && len(vm.Hits) < 20 {
					vm.Hits, seen[p.ID] = append(vm.Hits, productHit(p)), true
				}
			}
		}
		vm.Total = max(vm.Total, len(vm.Hits))
	}
	if c.Request().Header.Get("HX-Request") == "true" {
		return render(c, http.StatusOK, templates.AdminPickerResults(vm, true))
	}
	return render(c, http.StatusOK, templates.AdminPicker(vm))
}

func productHit(p *models.Product) templates.AdminProductHit {
	return templates.AdminProductHit{ID: p.ID, SKU: p.ExternalID, Title: p.Title, Brand: p.Brand, PriceCents: p.PriceCents, InStock: p.InStock(), Image: ImageURL(p)}
}

// adminLayoutPublish publishes the draft the merchandiser looked at; if it
// changed since, they must look again.
func (s *Server) adminLayoutPublish(c echo.Context) error {
	ed := editedPageOf(c)
	if c.FormValue("confirm") != "yes" {
		// Publishing goes through the health check and its confirmation.
		return c.Redirect(http.StatusSeeOther, ed.view.Editor+"/publish")
	}
	rev, err := formRevision(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	_, cur, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return err
	}
	if cur != rev {
		return s.layoutConflict(c)
	}
	v, err := s.db.PublishDraft(ctx, ed.key, staffName(c))
	if err != nil {
		return err
	}
	s.layoutChanged()
	s.flash(c, fmt.Sprintf("Published version %d. %s", v.Number, v.Summary))
	return c.Redirect(http.StatusSeeOther, ed.view.Editor)
}

// adminPublishConfirm is the publish step: what changes, the health check
// of the draft composed for a sample of shoppers, and the confirmation.
func (s *Server) adminPublishConfirm(c echo.Context) error {
	ed := editedPageOf(c)
	ctx := c.Request().Context()
	draft, rev, err := s.db.DraftSlots(ctx, ed.key)
	if err != nil {
		return err
	}
	vm := templates.AdminPublishPage{AdminBase: s.adminBase(c, "Publish", ed.nav("layout")), Page: ed.view, Revision: rev}
	published, v, err := s.db.PublishedLayout(ctx, ed.key)
	if err != nil {
		return err
	}
	vm.Changes = "This page has never been published."
	if v != nil {
		vm.Changes = models.DiffSummary(published, draft)
	}
	health, err := s.shop.CheckLayout(ctx, draft, time.Now().In(s.shopZone(c)), s.linkWorks, priceIn(ctx))
	if err != nil {
		return err
	}
	vm.Sampled = strings.Join(health.Sampled, ", ")
	vm.Errors = health.Errors()
	for _, is := range health.Issues {
		vm.Issues = append(vm.Issues, templates.HealthIssue{Slot: is.Slot, Severity: is.Severity, Message: is.Message})
	}
	return render(c, http.StatusOK, templates.AdminPublish(vm))
}

// linkWorks reports whether a slot's link leads somewhere: a path in the
// shop is requested through the router as an anonymous visitor; outside
// addresses are not fetched.
func (s *Server) linkWorks(link string) bool {
	if !strings.HasPrefix(link, "/") {
		return true
	}
	rec := httptest.NewRecorder()
	s.Echo().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, link, nil))
	return rec.Code < http.StatusBadRequest
}
