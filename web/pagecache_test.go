package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// cardIDs lists the product ids of a page's cards, in order.
func cardIDs(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel + " [data-product-id]").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-product-id", ""))
	})
	return out
}

// TestCachedPagesNeverOutliveTheirInputs serves pages twice (the second
// time from the cache) and checks that a publish, a retrain, a stock-out,
// the shopper's own new event, a synonym change and a settings change each
// show on the very next page.
func TestCachedPagesNeverOutliveTheirInputs(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	page, err := shop.db.PageByKey(ctx, models.HomePage)
	must(t, err)
	must(t, shop.db.W.Create(&models.Slot{PageID: page.ID, Position: 4, Type: models.SlotRecentlyViewed, Title: "Recently viewed",
		Strategy: "recent", Enabled: true, Size: 4, Audience: "everyone"}).Error)
	_, err = shop.db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	trainShop(t, shop)
	srv := shop.srv

	visitor := shop.newClient()
	ada := shop.shopperClient()
	_, first := visitor.get("/")
	_, again := shop.newClient().get("/")
	if a, b := cardIDs(first, "main"), cardIDs(again, "main"); len(a) == 0 || !slices.Equal(a, b) {
		t.Fatalf("two new visitors' homepages differ within a minute: %v then %v", a, b)
	}
	srv.shared.mu.Lock()
	shared := len(srv.shared.m)
	srv.shared.mu.Unlock()
	if shared == 0 {
		t.Fatal("the visitor's homepage was not cached")
	}

	t.Run("publish", func(t *testing.T) {
		staff := shop.staffClient(models.RoleMerchandiser)
		_, doc := staff.get("/admin/layout")
		rev := doc.Find(`[data-testid="layout-list"]`).AttrOr("data-revision", "")
		slots, _, err := shop.db.DraftSlots(ctx, models.HomePage)
		must(t, err)
		var best uint
		for _, sl := range slots {
			if sl.Type == models.SlotPopular {
				best = sl.ID
			}
		}
		res := staff.post("/admin/layout", "/admin/layout/slots/"+utoa(best)+"/toggle", url.Values{"revision": {rev}, "field": {"enabled"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("toggle: %d", res.StatusCode)
		}
		_, rv := shop.draft()
		if res := staff.post("/admin/layout", "/admin/layout/publish", url.Values{"revision": {strconv.Itoa(rv)}, "confirm": {"yes"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("publish: %d", res.StatusCode)
		}
		_, doc = visitor.get("/")
		if doc.Find(`section[data-slot-id="`+utoa(best)+`"]`).Length() != 0 {
			t.Fatal("the visitor still sees the row switched off by the publish")
		}
	})

	t.Run("retrain", func(t *testing.T) {
		ada.get(productPath(shop.product("SKU-H1"))) // some history: a personal page
		must(t, srv.events.Flush(ctx))
		ada.get("/")
		before := srv.shop.Model()
		cfg := recommender.DefaultConfig()
		cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
		_, err := shopsvc.TrainAndStore(ctx, shop.db, cfg, nil)
		must(t, err)
		srv.shop.ReloadModel(ctx)
		after := srv.shop.Model()
		if after == before {
			t.Fatal("the retrained model was not swapped in")
		}
		ada.get("/")
		st := srv.viewers.get("s1")
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.home == nil || st.home.ver.model != weak.Make(after) {
			t.Fatal("after a retrain the shopper's homepage was not composed with the new model")
		}
	})

	t.Run("stock-out", func(t *testing.T) {
		_, doc := visitor.get("/")
		ids := cardIDs(doc, "main")
		if len(ids) == 0 {
			t.Fatal("no cards")
		}
		id, _ := strconv.ParseUint(ids[0], 10, 32)
		p, err := shop.db.ProductByID(ctx, uint(id))
		must(t, err)
		visitor.get(productPath(p)) // cache the product page too
		_, doc = visitor.get(productPath(p))
		if doc.Find(`[data-testid="add-to-cart"]`).Length() == 0 {
			t.Fatalf("%s is in stock but its page offers no add-to-cart", p.Title)
		}
		buyer := shop.newClient()
		res := buyer.post(productPath(p), "/cart/add", url.Values{"product_id": {utoa(p.ID)}, "quantity": {strconv.Itoa(p.Stock)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", res.StatusCode)
		}
		if _, err := shop.db.CreateShopper(ctx, "Bo Buyer", "bo@example.com", testPassword); err != nil {
			t.Fatal(err)
		}
		buyer.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}})
		buyer.checkout("Bo", "bo@example.com")
		_, doc = visitor.get("/")
		if slices.Contains(cardIDs(doc, "main"), ids[0]) {
			t.Fatalf("the homepage still shows %s after it sold out", p.Title)
		}
		_, doc = visitor.get(productPath(p))
		if got := doc.Find(`[data-testid="stock"]`).Text(); !strings.Contains(got, "Out of stock") {
			t.Fatalf("the product page says %q after a sell-out", got)
		}
	})

	t.Run("own event", func(t *testing.T) {
		_, doc := ada.get("/")
		viewed := shop.product("SKU-H3")
		if slices.Contains(cardIDs(doc, `section[data-slot-type="recently_viewed"]`), utoa(viewed.ID)) {
			t.Fatal("SKU-H3 is recently viewed before Ada viewed it")
		}
		// A slow writer: the next page is composed before the view is
		// written, and must not outlive the write.
		must(t, srv.events.Close(ctx))
		srv.events = models.NewEventWriter(shop.db, 100, 100, time.Second, srv.log)
		srv.events.OnWritten(srv.eventsWritten)
		ada.get(productPath(viewed))
		ada.get("/")
		must(t, srv.events.Flush(ctx))
		_, doc = ada.get("/")
		if !slices.Contains(cardIDs(doc, `section[data-slot-type="recently_viewed"]`), utoa(viewed.ID)) {
			t.Fatal("Ada's next homepage does not show the product she just viewed")
		}
	})

	t.Run("search synonyms", func(t *testing.T) {
		find := func() []string {
			_, doc := visitor.get("/search?q=bivouac&exact=1")
			return cardIDs(doc, "main")
		}
		if got, again := find(), find(); len(got) != 0 || len(again) != 0 {
			t.Fatalf("a search for an unknown word found %v, then %v", got, again)
		}
		if _, problems, err := srv.shop.SaveSynonyms(ctx, "test", "bivouac, tent"); err != nil || problems != nil {
			t.Fatalf("save synonyms: %v %v", problems, err)
		}
		if got := find(); !slices.Contains(got, utoa(shop.product("SKU-1").ID)) {
			t.Fatalf("after the synonym bivouac = tent the search found %v, not the tent", got)
		}
	})

	t.Run("shop settings", func(t *testing.T) {
		p := shop.product("SKU-2")
		visitor.get(productPath(p))
		_, doc := visitor.get(productPath(p))
		before := doc.Find(`[data-testid="product-price"]`).Text()
		st, err := shop.db.ShopSettings(ctx)
		must(t, err)
		st.Currency = "EUR"
		must(t, shop.db.SaveShopSettings(ctx, "test", st))
		srv.shopChanged()
		_, doc = visitor.get(productPath(p))
		if after := doc.Find(`[data-testid="product-price"]`).Text(); after == before {
			t.Fatalf("the product page still shows %q after the shop changed its currency", after)
		}
	})
}

// TestAnOrderDropsOnlyThePagesOfWhatItSold orders a tent twice, the second
// time selling it out: its page and the listings and rows that show it
// change at once, also after the catalog reload that follows an order,
// while the cached pages of products and listings that do not show it are
// served on as they were.
func TestAnOrderDropsOnlyThePagesOfWhatItSold(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	srv := shop.srv
	tent, other, pack := shop.product("SKU-1"), shop.product("SKU-2"), shop.product("SKU-H1")
	visitor := shop.newClient()
	view := func(path string) *goquery.Document {
		t.Helper()
		res, doc := visitor.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		return doc
	}
	entry := srv.bodies.entry
	<-srv.shop.Started() // the index's first build, which moves its generation
	// A search's page is kept under the index's generation.
	searchEntry := func(q string) *bodyEntry {
		return entry("s" + strconv.FormatUint(srv.shop.Search().Generation(), 10) + "?q=" + q)
	}
	for _, path := range []string{productPath(tent), productPath(other), productPath(pack), "/c/tents", "/c/outdoor", "/c/hiking", "/search?q=tent", "/search?q=daypack"} {
		view(path)
	}
	if !slices.Contains(cardIDs(view(productPath(other)), "main"), utoa(tent.ID)) {
		t.Fatal("the other tent's page does not show the tent in its rows")
	}
	for _, path := range []string{"/c/tents", "/c/outdoor"} {
		if ids := cardIDs(view(path), "main"); len(ids) < 2 || ids[0] != utoa(tent.ID) {
			t.Fatalf("%s does not list the tent first: %v", path, ids)
		}
	}
	packPage, hikingPage := entry("p"+utoa(pack.ID)+"|"), entry("chiking?")
	if packPage == nil || hikingPage == nil {
		t.Fatal("the daypack's page or the hiking listing was not cached")
	}
	tentsPage, outdoorPage := entry("ctents?"), entry("coutdoor?")
	if tentsPage == nil || outdoorPage == nil {
		t.Fatal("the tents or outdoor listing was not cached")
	}
	tentSearch, packSearch := searchEntry("tent"), searchEntry("daypack")
	if tentSearch == nil || packSearch == nil {
		t.Fatal("the searches for tents or daypacks were not cached")
	}
	if ids := cardIDs(view("/search?q=tent"), "main"); !slices.Contains(ids, utoa(tent.ID)) || slices.Contains(cardIDs(view("/search?q=daypack"), "main"), utoa(tent.ID)) {
		t.Fatalf("the search for tents does not find the tent, or the search for daypacks does: %v", ids)
	}

	if _, err := shop.db.CreateShopper(ctx, "Bo Buyer", "bo@example.com", testPassword); err != nil {
		t.Fatal(err)
	}
	buyer := shop.newClient()
	buyer.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}})
	order := func(qty int) {
		t.Helper()
		res := buyer.post(productPath(tent), "/cart/add", url.Values{"product_id": {utoa(tent.ID)}, "quantity": {strconv.Itoa(qty)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", res.StatusCode)
		}
		buyer.checkout("Bo", "bo@example.com")
	}
	survived := func(when string) {
		t.Helper()
		view(productPath(pack))
		view("/c/hiking")
		view("/search?q=daypack")
		if entry("p"+utoa(pack.ID)+"|") != packPage || entry("chiking?") != hikingPage || searchEntry("daypack") != packSearch {
			t.Fatalf("%s the daypack's page, the hiking listing or the search for daypacks, which do not show the tent, were built afresh", when)
		}
	}

	order(1)
	if got := view(productPath(tent)).Find(`[data-testid="stock"]`).Text(); !strings.Contains(got, "Only 4 left") {
		t.Fatalf("after an order of 1 of 5 the tent's page says %q", got)
	}
	survived("after an order of the tent")
	// The listings that show the tent say it is in stock, not how many
	// are left: an order that leaves it in stock keeps them.
	view("/c/tents")
	view("/c/outdoor")
	view("/search?q=tent")
	if entry("ctents?") != tentsPage || entry("coutdoor?") != outdoorPage || searchEntry("tent") != tentSearch {
		t.Fatal("an order that left the tent in stock rebuilt the listings or the search that show it")
	}

	order(4)
	if got := view(productPath(tent)).Find(`[data-testid="stock"]`).Text(); !strings.Contains(got, "Out of stock") {
		t.Fatalf("after the tent sold out its page says %q", got)
	}
	for _, path := range []string{"/c/tents", "/c/outdoor"} {
		if ids := cardIDs(view(path), "main"); ids[len(ids)-1] != utoa(tent.ID) {
			t.Fatalf("%s does not list the sold-out tent last: %v", path, ids)
		}
	}
	if entry("ctents?") == tentsPage || entry("coutdoor?") == outdoorPage {
		t.Fatal("the tent sold out and its listings were served from before")
	}
	if ids := cardIDs(view("/search?q=tent"), "main"); len(ids) < 2 || ids[len(ids)-1] != utoa(tent.ID) || searchEntry("tent") == tentSearch {
		t.Fatalf("the search for tents does not list the sold-out tent last, or was served from before: %v", ids)
	}
	if slices.Contains(cardIDs(view(productPath(other)), "main"), utoa(tent.ID)) {
		t.Fatal("the other tent's page still recommends the sold-out tent")
	}
	survived("after the tent sold out")

	must(t, srv.shop.RefreshCatalog(ctx, true)) // the reload that follows an order
	if got := view(productPath(tent)).Find(`[data-testid="stock"]`).Text(); !strings.Contains(got, "Out of stock") {
		t.Fatalf("after the catalog reload the tent's page says %q", got)
	}
	survived("after the catalog reload")

	// A restock may put the tent on any page: every page is built afresh.
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", tent.ID).Update("stock", 3).Error)
	must(t, srv.shop.ProductsChanged(ctx, tent.ID))
	view(productPath(pack))
	if entry("p"+utoa(pack.ID)+"|") == packPage {
		t.Fatal("after a restock the daypack's page was served from before it")
	}
	if ids := cardIDs(view("/c/tents"), "main"); ids[0] != utoa(tent.ID) {
		t.Fatalf("the tents listing does not list the restocked tent first: %v", ids)
	}
}

// TestAnOrderKeepsTheHomepagesThatDoNotShowWhatItSold checks that an
// order recomposes only the homepages it changes: a new visitor's shared
// page and a signed-in shopper's own page that do not show the ordered
// product, or show it and it stays in stock, are served on from the
// cache, the buyer's own page is composed afresh, a page showing a product
// that sold out is composed without it at once, and a price change (which
// may put a product in a row's price range) recomposes every page.
func TestAnOrderKeepsTheHomepagesThatDoNotShowWhatItSold(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	trainShop(t, shop)
	srv := shop.srv
	// New visitors' page is composed once a minute: the shop's clock
	// stands still, so every page below is of one minute.
	stopped := time.Now()
	srv.now = func() time.Time { return stopped }
	// A new visitor each time: one back without a click is shown other
	// products on their next pages.
	visitor := func() *client { return shop.newClient() }
	ada := shop.shopperClient()
	ada.get(productPath(shop.product("SKU-H1"))) // some history: a page of her own
	must(t, srv.events.Flush(ctx))
	bo, err := shop.db.CreateShopper(ctx, "Bo Buyer", "bo@example.com", testPassword)
	must(t, err)
	buyer := shop.newClient()
	buyer.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}})
	buyer.get(productPath(shop.product("SKU-K1"))) // a page of his own too
	must(t, srv.events.Flush(ctx))

	home := func(c *client) []string {
		t.Helper()
		res, doc := c.get("/")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("homepage: %d", res.StatusCode)
		}
		return cardIDs(doc, "main")
	}
	sharedEntries := func() map[*homeEntry]bool {
		srv.shared.mu.Lock()
		defer srv.shared.mu.Unlock()
		out := map[*homeEntry]bool{}
		for _, e := range srv.shared.m {
			out[e] = true
		}
		return out
	}
	own := func(key string) *homeEntry {
		st := srv.viewers.get(key)
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.home
	}
	order := func(p *models.Product, qty int) {
		t.Helper()
		res := buyer.post(productPath(p), "/cart/add", url.Values{"product_id": {utoa(p.ID)}, "quantity": {strconv.Itoa(qty)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add to cart: %d", res.StatusCode)
		}
		buyer.checkout("Bo", "bo@example.com")
		must(t, srv.events.Flush(ctx))
	}

	visitorCards, adaCards := home(visitor()), home(ada)
	home(buyer)
	visitorPage, adaPage, buyerPage := sharedEntries(), own("s1"), own(bo.ExternalID)
	if len(visitorCards) == 0 || len(adaCards) == 0 || len(visitorPage) == 0 || adaPage == nil || buyerPage == nil {
		t.Fatalf("homepages not shown or not cached: visitor %v, Ada %v", visitorCards, adaCards)
	}
	var unseen *models.Product
	var all []models.Product
	must(t, shop.db.R.Order("id").Find(&all).Error)
	for i := range all {
		id := utoa(all[i].ID)
		if all[i].Stock >= 2 && !slices.Contains(visitorCards, id) && !slices.Contains(adaCards, id) {
			unseen = &all[i]
			break
		}
	}
	if unseen == nil {
		t.Fatal("every product in stock is on a homepage")
	}

	order(unseen, 1)
	if got := home(visitor()); !slices.Equal(got, visitorCards) || !maps.Equal(sharedEntries(), visitorPage) {
		t.Fatalf("an order of %s, which the visitor's page does not show, recomposed it: %v then %v", unseen.Title, visitorCards, got)
	}
	if got := home(ada); !slices.Equal(got, adaCards) || own("s1") != adaPage {
		t.Fatalf("an order of %s, which Ada's page does not show, recomposed it: %v then %v", unseen.Title, adaCards, got)
	}
	home(buyer)
	if own(bo.ExternalID) == buyerPage {
		t.Fatal("the buyer's own homepage was served from before their order")
	}

	// An order of a product both pages show that leaves it in stock: their
	// cards say nothing of how many are left, so both are served on.
	var both *models.Product
	for _, id := range visitorCards {
		n, _ := strconv.ParseUint(id, 10, 32)
		p, err := shop.db.ProductByID(ctx, uint(n))
		must(t, err)
		if slices.Contains(adaCards, id) && p.Stock >= 3 {
			both = p
			break
		}
	}
	if both == nil {
		t.Fatalf("no product with 3 or more in stock on both homepages: visitor %v, Ada %v", visitorCards, adaCards)
	}
	order(both, 1)
	if got := home(visitor()); !slices.Equal(got, visitorCards) || !maps.Equal(sharedEntries(), visitorPage) {
		t.Fatalf("an order leaving %s in stock recomposed the visitor's page that shows it: %v then %v", both.Title, visitorCards, got)
	}
	if got := home(ada); !slices.Equal(got, adaCards) || own("s1") != adaPage {
		t.Fatalf("an order leaving %s in stock recomposed Ada's page that shows it: %v then %v", both.Title, adaCards, got)
	}

	// A product the visitor's page shows sells out: the page goes without it.
	id, _ := strconv.ParseUint(visitorCards[0], 10, 32)
	shown, err := shop.db.ProductByID(ctx, uint(id))
	must(t, err)
	order(shown, shown.Stock)
	if got := home(visitor()); slices.Contains(got, visitorCards[0]) || maps.Equal(sharedEntries(), visitorPage) {
		t.Fatalf("after %s sold out the visitor's homepage still shows it: %v", shown.Title, got)
	}
	if !slices.Contains(adaCards, visitorCards[0]) && own("s1") != adaPage {
		t.Fatalf("%s, which Ada's page does not show, sold out and her page was recomposed", shown.Title)
	}

	// A price change may put a product in a row's price range: every
	// homepage is composed afresh.
	visitorPage, adaPage = sharedEntries(), own("s1")
	must(t, shop.db.W.Model(&models.Product{}).Where("id = ?", unseen.ID).Update("price_cents", unseen.PriceCents+100).Error)
	must(t, srv.shop.ProductsChanged(ctx, unseen.ID))
	home(visitor())
	home(ada)
	if maps.Equal(sharedEntries(), visitorPage) || own("s1") == adaPage {
		t.Fatal("after a price change a homepage was served from before it")
	}
}

// TestPagesKeptAcrossAnOrderLetItsSnapshotGo checks that the homepages and
// page bodies an order leaves cached do not keep the catalog snapshot they
// were built from: each kept page held the snapshot of its time, so with
// orders coming in the shop's memory held a snapshot per order (its
// product maps and lists, often a full build of every product).
func TestPagesKeptAcrossAnOrderLetItsSnapshotGo(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	trainShop(t, shop)
	srv := shop.srv
	pack := shop.product("SKU-H1")
	ada := shop.shopperClient()
	ada.get(productPath(pack)) // some history: a page of her own
	must(t, srv.events.Flush(ctx))
	shown := map[string]bool{}
	view := func(c *client, path string) {
		t.Helper()
		res, doc := c.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		for _, id := range cardIDs(doc, "body") {
			shown[id] = true
		}
	}
	own := func(key string) *homeEntry {
		st := srv.viewers.get(key)
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.home
	}
	entry := srv.bodies.entry
	visitor := shop.newClient()
	view(ada, "/")
	view(visitor, "/")
	view(visitor, productPath(pack))
	view(visitor, "/c/hiking")
	adaPage, packPage, hikingPage := own("s1"), entry("p"+utoa(pack.ID)+"|"), entry("chiking?")
	if adaPage == nil || packPage == nil || hikingPage == nil {
		t.Fatal("Ada's homepage, the daypack's page or the hiking listing was not cached")
	}
	var unseen *models.Product
	var all []models.Product
	must(t, shop.db.R.Order("id").Find(&all).Error)
	for i := range all {
		if all[i].Stock >= 2 && all[i].ID != pack.ID && !shown[utoa(all[i].ID)] {
			unseen = &all[i]
			break
		}
	}
	if unseen == nil {
		t.Fatal("every product in stock is on one of the pages")
	}
	before := weak.Make(srv.shop.Catalog())

	_, err := shop.db.CreateShopper(ctx, "Bo Buyer", "bo@example.com", testPassword)
	must(t, err)
	buyer := shop.newClient()
	buyer.post("/login", "/login", url.Values{"email": {"bo@example.com"}, "password": {testPassword}})
	res := buyer.post(productPath(unseen), "/cart/add", url.Values{"product_id": {utoa(unseen.ID)}, "quantity": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add to cart: %d", res.StatusCode)
	}
	buyer.checkout("Bo", "bo@example.com")
	must(t, srv.events.Flush(ctx))
	must(t, srv.shop.RefreshCatalog(ctx, true)) // the reload that follows an order
	view(buyer, "/")                            // composed afresh on the snapshot after the order
	view(ada, "/")
	view(visitor, productPath(pack))
	view(visitor, "/c/hiking")
	if own("s1") != adaPage || entry("p"+utoa(pack.ID)+"|") != packPage || entry("chiking?") != hikingPage {
		t.Fatalf("an order of %s, which none of the pages shows, had them built afresh", unseen.Title)
	}
	if before.Value() == srv.shop.Catalog() {
		t.Fatal("the order did not replace the catalog snapshot")
	}
	for range 20 { // the collector frees what nothing holds; a reload may still be reading
		runtime.GC()
		if before.Value() == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the pages kept across the order still hold the catalog snapshot from before it")
}

// The rendered bodies of product, category and search pages stay within
// their memory budget however many different pages are viewed at once,
// and a page just kept is served from the cache.
func TestKeptBodiesStayWithinTheirBudget(t *testing.T) {
	shop := mustOpenShop(t)
	ver := pageVersion{Versions: shop.srv.shop.Versions()}
	var b bodyCache
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1_000 {
				key := fmt.Sprintf("p%d-%d|", w, i)
				b.put(key, ver, body{parts: []bodyPart{{z: make([]byte, 20_000)}}}, nil)
				b.get(key, ver) // another view's put may already have made room by dropping it
			}
		}()
	}
	wg.Wait()
	// With no other view keeping a page meanwhile, the page just kept is
	// served.
	for i := range 100 {
		key := fmt.Sprintf("q%d|", i)
		b.put(key, ver, body{parts: []bodyPart{{z: make([]byte, 20_000)}}}, nil)
		if _, ok := b.get(key, ver); !ok {
			t.Fatalf("the body of %s, just kept, is not served", key)
		}
	}
	total, n := 0, 0
	for i := range b.shards {
		total += b.shards[i].bytes
		n += len(b.shards[i].m)
	}
	if total > sharedBodyBytes {
		t.Fatalf("%d bodies kept in %d MiB, over the %d MiB budget", n, total>>20, sharedBodyBytes>>20)
	}
	if want := sharedBodyBytes / 2 / 20_000; n < want {
		t.Fatalf("only %d bodies of 20 KB kept, want at least %d in the %d MiB budget", n, want, sharedBodyBytes>>20)
	}
}
