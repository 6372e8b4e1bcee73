package web

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"storefront/models"
	"storefront/recommender"
	"storefront/templates"
)

// TestNewVisitorsHomepageFollowsTheVisit: a first-time visitor looks at two
// kitchen products; the next homepage leads, right under the locked hero,
// with rows of kitchen products that do not repeat what they looked at, even
// though the merchandiser placed those rows last and the shop's best sellers
// are outdoor gear.
func TestNewVisitorsHomepageFollowsTheVisit(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	for i, sl := range []models.Slot{
		{Type: models.SlotTrending, Title: "Trending now"},
		{Type: models.SlotCategory, Title: "Top picks in {category}"},
		{Type: models.SlotBecauseViewed, Title: "Because you viewed {anchor}", Strategy: "similar"},
		{Type: models.SlotRecentlyViewed, Title: "Recently viewed"},
	} {
		sl.PageID, sl.Position, sl.Enabled, sl.Size, sl.Audience = page.ID, 4+i, true, 4, "everyone"
		must(t, shop.db.W.Create(&sl).Error)
	}
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	trainShop(t, shop)

	visitor := shop.newClient()
	viewed := map[string]bool{}
	for _, ext := range []string{"SKU-K1", "SKU-K2"} {
		res, _ := visitor.get(productPath(shop.product(ext)))
		if res.StatusCode != 200 {
			t.Fatalf("product %s: %d", ext, res.StatusCode)
		}
		viewed[ext] = true
	}
	must(t, shop.srv.events.Flush(ctx))

	_, doc := visitor.get("/")
	var free []*goquery.Selection
	doc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
		if row.AttrOr("data-slot-type", "") != models.SlotHero && row.Find("[data-product-id]").Length() > 0 {
			free = append(free, row)
		}
	})
	if len(free) < 2 {
		t.Fatalf("the homepage has %d rows of products under the hero", len(free))
	}
	for i, row := range free[:2] {
		typ := row.AttrOr("data-slot-type", "")
		if typ != models.SlotBecauseViewed && typ != models.SlotCategory {
			t.Fatalf("row %d under the hero is %q (%s), not one following the visit", i+1, strings.TrimSpace(row.Find("h2").Text()), typ)
		}
		row.Find("[data-product-id]").Each(func(_ int, c *goquery.Selection) {
			id, _ := parseProductID(c.AttrOr("data-product-id", ""))
			p, err := shop.db.ProductByID(ctx, id)
			must(t, err)
			if p.Category.Slug != "kitchen" {
				t.Fatalf("row %q shows %s from %s after a kitchen visit", row.Find("h2").Text(), p.Title, p.Category.Slug)
			}
			if viewed[p.ExternalID] {
				t.Fatalf("row %q repeats %s, which the visitor just looked at", row.Find("h2").Text(), p.Title)
			}
		})
	}
	if h := doc.Find(`section[data-slot-type="category"] h2`).First().Text(); !strings.Contains(h, "Kitchen") {
		t.Fatalf("the visit's category row is titled %q", h)
	}
	// The first row under the hero is the category the visitor is looking
	// at, and its first card is near the prices they looked at (€10 and €11).
	if typ := free[0].AttrOr("data-slot-type", ""); typ != models.SlotCategory {
		t.Fatalf("the first row under the hero is %q (%s), not the visit's category", strings.TrimSpace(free[0].Find("h2").Text()), typ)
	}
	id, _ := parseProductID(free[0].Find("[data-product-id]").First().AttrOr("data-product-id", ""))
	p, err := shop.db.ProductByID(ctx, id)
	must(t, err)
	if p.PriceCents < 500 || p.PriceCents > 2200 {
		t.Fatalf("after views at €10 and €11 the first card is %s at %d cents", p.Title, p.PriceCents)
	}
}

// TestAVisitorBackWithoutAClickSeesOtherProducts: a new visitor who comes
// back to the homepage without having opened anything gets other products
// in the rows the shop fills, while another new visitor still gets the
// shop's first page.
func TestAVisitorBackWithoutAClickSeesOtherProducts(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	rows := func(doc *goquery.Document) map[string][]string {
		out := map[string][]string{}
		doc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
			typ := row.AttrOr("data-slot-type", "")
			row.Find("[data-product-id]").Each(func(_ int, c *goquery.Selection) {
				out[typ] = append(out[typ], c.AttrOr("data-product-id", ""))
			})
		})
		return out
	}
	visitor := shop.newClient()
	_, doc := visitor.get("/")
	first := rows(doc)
	if len(first[models.SlotPopular]) == 0 || len(first[models.SlotNewArrivals]) == 0 {
		t.Fatalf("a new visitor's homepage lacks best sellers or new arrivals: %v", first)
	}
	shown := map[string]bool{}
	for _, ids := range first {
		for _, id := range ids {
			shown[id] = true
		}
	}
	_, doc = visitor.get("/")
	second := rows(doc)
	for _, typ := range []string{models.SlotPopular, models.SlotNewArrivals} {
		if len(second[typ]) == 0 {
			t.Fatalf("back on the homepage, the %s row is empty", typ)
		}
		for _, id := range second[typ] {
			if shown[id] {
				t.Fatalf("back without a click, the %s row shows product %s again (first page %v, now %v)", typ, id, first, second)
			}
		}
	}
	_, doc = shop.newClient().get("/")
	if other := rows(doc); !slices.Equal(other[models.SlotPopular], first[models.SlotPopular]) {
		t.Fatalf("another new visitor's best sellers are %v, the first visitor's were %v", other[models.SlotPopular], first[models.SlotPopular])
	}
}

// TestAHeroThatLetsTheVisitFirstFollowsTheVisitsRow: with the locked hero set
// to let a shopping visitor's own row come first, a visitor who opened two
// kitchen products gets the kitchen row at the top of the page and the hero
// right after it, while a new visitor's page still starts with the hero;
// back without a click, that visitor gets the rows of products first and the
// hero after them; with the option off the hero leads every page.
func TestAHeroThatLetsTheVisitFirstFollowsTheVisitsRow(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	cat := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotCategory, Title: "Top picks in {category}", Enabled: true, Size: 4, Audience: "everyone"}
	must(t, shop.db.W.Create(&cat).Error)
	setHero := func(on bool) {
		t.Helper()
		must(t, shop.db.W.Model(&models.Slot{}).Where("page_id = ? AND type = ?", page.ID, models.SlotHero).Update("visit_first", on).Error)
		_, err := shop.db.PublishDraft(ctx, models.HomePage, "test")
		must(t, err)
		shop.srv.layoutChanged()
	}
	setHero(true)
	trainShop(t, shop)

	rows := func(c *client) []string {
		_, doc := c.get("/")
		var out []string
		doc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
			out = append(out, row.AttrOr("data-slot-type", ""))
		})
		return out
	}
	visitor := shop.newClient()
	for _, ext := range []string{"SKU-K1", "SKU-K2"} {
		if res, _ := visitor.get(productPath(shop.product(ext))); res.StatusCode != 200 {
			t.Fatalf("product %s: %d", ext, res.StatusCode)
		}
	}
	must(t, shop.srv.events.Flush(ctx))
	if got := rows(visitor); len(got) < 2 || got[0] != models.SlotCategory || got[1] != models.SlotHero {
		t.Fatalf("a shopping visitor's page starts %v, want the visit's category row, then the hero", got)
	}
	stranger := shop.newClient()
	if got := rows(stranger); len(got) == 0 || got[0] != models.SlotHero {
		t.Fatalf("a new visitor's page starts %v, want the hero", got)
	}
	if got := rows(stranger); len(got) < 3 || slices.Index(got, models.SlotHero) != len(got)-1 {
		t.Fatalf("a new visitor back without a click gets a page of %v, want the rows of products, then the hero", got)
	}
	setHero(false)
	if got := rows(visitor); len(got) == 0 || got[0] != models.SlotHero {
		t.Fatalf("with the option off a shopping visitor's page starts %v, want the hero", got)
	}
	if got := rows(stranger); len(got) == 0 || got[0] != models.SlotHero {
		t.Fatalf("with the option off a new visitor back without a click gets a page starting %v, want the hero", got)
	}
}

// TestAVisitorsNextPageLeavesOutWhatTheyPassedOver: a new visitor opens the
// third card of a homepage row; the shop notes what they passed over to
// reach it (the rows above it and the two cards before it, in reading
// order), and on their next homepage no row the shop fills starts with one
// of those products. Opening a product from elsewhere notes nothing.
func TestAVisitorsNextPageLeavesOutWhatTheyPassedOver(t *testing.T) {
	shop := mustOpenShop(t)
	trainShop(t, shop)
	ctx := context.Background()
	type shown struct{ id, href, typ string }
	read := func(doc *goquery.Document) []shown {
		var out []shown
		doc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
			typ := row.AttrOr("data-slot-type", "")
			row.Find("article[data-product-id]").Each(func(_ int, c *goquery.Selection) {
				href, _ := c.Find("a").First().Attr("href")
				out = append(out, shown{c.AttrOr("data-product-id", ""), href, typ})
			})
		})
		return out
	}
	ext := func(id string) string {
		n, _ := parseProductID(id)
		p, err := shop.db.ProductByID(ctx, n)
		must(t, err)
		return p.ExternalID
	}
	const vid = "passed-over-visitor"
	visitor := shop.withVisitor(vid)
	_, doc := visitor.get("/")
	cards := read(doc)
	at := -1
	for i := 2; i < len(cards); i++ {
		if cards[i].typ == cards[i-2].typ && cards[i].typ != models.SlotHero && strings.Contains(cards[i].href, "pos=3") {
			at = i
			break
		}
	}
	if at < 0 {
		t.Fatalf("no row of the homepage under the hero has a third card: %v", cards)
	}
	var want []string
	passed := map[string]bool{}
	for _, c := range cards[:at] {
		want = append(want, ext(c.id))
		passed[c.id] = true
	}
	// Opened from elsewhere first (a link, a search): nothing passed over.
	if res, _ := visitor.get(strings.Split(cards[at].href, "?")[0]); res.StatusCode != 200 {
		t.Fatalf("opening %s directly: %d", cards[at].href, res.StatusCode)
	}
	if got := shop.srv.viewers.get("v:" + vid).passed; len(got) != 0 {
		t.Fatalf("opening a product from elsewhere noted %v as passed over", got)
	}
	_, doc = visitor.get("/")
	// The view above commits only now, after the page was given (the event
	// writer commits in the background): the page is still the one read.
	shop.srv.eventsWritten([]models.Event{{UserKey: "v:" + vid, Type: models.EventView}})
	cards = read(doc)
	at = slices.IndexFunc(cards, func(c shown) bool { return strings.Contains(c.href, "pos=3") && c.typ != models.SlotHero })
	if at < 2 {
		t.Fatalf("the second homepage has no third card under the hero: %v", cards)
	}
	want, passed = want[:0], map[string]bool{}
	for _, c := range cards[:at] {
		want = append(want, ext(c.id))
		passed[c.id] = true
	}
	if res, _ := visitor.get(cards[at].href); res.StatusCode != 200 {
		t.Fatalf("opening %s: %d", cards[at].href, res.StatusCode)
	}
	must(t, shop.srv.events.Flush(ctx))
	if got := shop.srv.viewers.get("v:" + vid).passed; !slices.Equal(got, want) {
		t.Fatalf("after opening the card at %s the shop noted %v as passed over, want %v", cards[at].href, got, want)
	}
	_, doc = visitor.get("/")
	led := map[string]bool{}
	for _, c := range read(doc) {
		if led[c.typ] || c.typ == models.SlotHero || c.typ == models.SlotCollection || c.typ == models.SlotRecentlyViewed {
			continue
		}
		led[c.typ] = true
		if passed[c.id] {
			t.Fatalf("after passing over %v to open %s, the %s row starts with %s", want, cards[at].href, c.typ, c.id)
		}
	}
}

// TestAPassedOverCardCountsAsFarAsItWasLikelyRead: the cards of a stranger's
// page left without a click are passed over in reading order, each with the
// chance it was read where it was: the first card of the first row surely,
// the next ones along the row and the rows further down less, and a row
// without products (a banner) is not a row read.
func TestAPassedOverCardCountsAsFarAsItWasLikelyRead(t *testing.T) {
	slots := []templates.HomeSlot{
		{Title: "Sale", Cards: []templates.Card{{ExternalID: "a"}, {ExternalID: "b"}}},
		{Title: "Banner"},
		{Title: "Best sellers", Cards: []templates.Card{{ExternalID: "c"}}},
	}
	passed, read := passedOn(slots, []string{"x"}, []float64{0.5})
	if !slices.Equal(passed, []string{"x", "a", "b", "c"}) {
		t.Fatalf("passed %v", passed)
	}
	want := []float64{0.5, recommender.ReadChance(0, 0), recommender.ReadChance(0, 1), recommender.ReadChance(1, 0)}
	if !slices.Equal(read, want) || read[1] != 1 || !(read[1] > read[2] && read[1] > read[3]) {
		t.Fatalf("read chances %v, want %v, the first card's 1 and the later ones less", read, want)
	}
}

// TestAStrangerBackWithoutAClickGetsTheCollectionTheyPassedOverLast: a
// collection shows the same products on every homepage; a new visitor back
// without a click, who passed them all over, gets the rows of products they
// have not seen first and the collection after them (wherever the shop's
// exploration of its row order put it on the first page), while another new
// visitor gets the first page.
func TestAStrangerBackWithoutAClickGetsTheCollectionTheyPassedOverLast(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, shop.db.W.Model(&models.Slot{}).Where("page_id = ? AND position > 1", page.ID).Update("position", gorm.Expr("position + 1")).Error)
	picks := models.Slot{PageID: page.ID, Position: 2, Type: models.SlotCollection, Title: "Staff picks", Pins: "SKU-3,SKU-K1", Enabled: true, Size: 2, Audience: "everyone"}
	must(t, shop.db.W.Create(&picks).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	trainShop(t, shop)
	rows := func(doc *goquery.Document) []string {
		var out []string
		doc.Find("section[data-slot-id]").Each(func(_ int, row *goquery.Selection) {
			if row.Find("[data-product-id]").Length() > 0 {
				out = append(out, row.AttrOr("data-slot-type", ""))
			}
		})
		return out
	}
	visitor := shop.newClient()
	_, doc := visitor.get("/")
	first := rows(doc)
	if !slices.Contains(first, models.SlotCollection) {
		t.Fatalf("a new visitor's rows %v lack the collection", first)
	}
	_, doc = visitor.get("/")
	second := rows(doc)
	if i := slices.Index(second, models.SlotCollection); i < slices.Index(second, models.SlotPopular) || i < slices.Index(second, models.SlotNewArrivals) {
		t.Fatalf("back without a click, rows %v: the collection passed over should follow the best sellers and new arrivals", second)
	}
	_, doc = shop.newClient().get("/")
	if other := rows(doc); !slices.Equal(other, first) {
		t.Fatalf("another new visitor's rows %v, the first visitor's %v", other, first)
	}
}

// TestANewVisitorBackWithoutAClickGetsTheCategoryTheirPagesLeftOut: the
// row of a visitor's own category ("Top picks in {category}") has nothing
// to follow on a new visitor's first homepage and is not shown; back on
// the homepage without having opened anything, they get it with a
// category the shop sells, none of its products from the page they left,
// while another new visitor's first page still has no such row.
func TestANewVisitorBackWithoutAClickGetsTheCategoryTheirPagesLeftOut(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	cat := models.Slot{PageID: page.ID, Position: 4, Type: models.SlotCategory, Title: "Top picks in {category}", Enabled: true, Size: 4, Audience: "everyone"}
	must(t, shop.db.W.Create(&cat).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.layoutChanged()
	trainShop(t, shop)

	// shown is every product on the page; row the category row's heading
	// and products.
	read := func(c *client) (shown map[string]bool, heading string, row []string) {
		t.Helper()
		_, doc := c.get("/")
		shown = map[string]bool{}
		doc.Find("section[data-slot-id] [data-product-id]").Each(func(_ int, card *goquery.Selection) {
			shown[card.AttrOr("data-product-id", "")] = true
		})
		sec := doc.Find(`section[data-slot-type="` + models.SlotCategory + `"]`)
		heading = strings.TrimSpace(sec.Find("h2").First().Text())
		sec.Find("[data-product-id]").Each(func(_ int, card *goquery.Selection) {
			row = append(row, card.AttrOr("data-product-id", ""))
		})
		return shown, heading, row
	}
	visitor := shop.newClient()
	first, heading, row := read(visitor)
	if len(row) > 0 {
		t.Fatalf("a new visitor's first homepage has %q %v: nothing of theirs to follow yet", heading, row)
	}
	_, heading, row = read(visitor)
	name, ok := strings.CutPrefix(heading, "Top picks in ")
	if !ok || len(row) == 0 {
		t.Fatalf("back without a click, the category row is %q %v: want a category's products", heading, row)
	}
	for _, id := range row {
		if first[id] {
			t.Fatalf("back without a click, %q shows product %s of the page they left", heading, id)
		}
		var p models.Product
		must(t, shop.db.R.First(&p, id).Error)
		var c models.Category
		must(t, shop.db.R.First(&c, p.CategoryID).Error)
		if c.Name != name {
			t.Fatalf("%q shows %s of %s", heading, p.ExternalID, c.Name)
		}
	}
	if _, heading, row := read(shop.newClient()); len(row) > 0 {
		t.Fatalf("another new visitor's first homepage has %q %v", heading, row)
	}
}
