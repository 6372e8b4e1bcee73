package shop

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"storefront/models"
)

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// stockShop is a shop of n products in two categories, its catalog loaded:
// on a SQLite file, or a new database on STOREFRONT_TEST_DB's server.
func stockShop(tb testing.TB, n int) (*Shop, *models.DB) {
	tb.Helper()
	ctx := context.Background()
	db, done, err := models.OpenScratch(tb.TempDir(), "shop.db") // PostgreSQL with STOREFRONT_TEST_DB
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(done)
	cats := []models.Category{{Slug: "tents", Name: "Tents"}, {Slug: "stoves", Name: "Stoves"}}
	if err := db.W.Create(&cats).Error; err != nil {
		tb.Fatal(err)
	}
	ps := make([]models.Product, n)
	for i := range ps {
		ps[i] = models.Product{ExternalID: fmt.Sprintf("SKU-%d", i), Slug: fmt.Sprintf("p-%d", i), Title: fmt.Sprintf("Product %d", i),
			Brand: "Alder", CategoryID: cats[i%2].ID, PriceCents: int64(1000 + i), Stock: 5, Active: true, Popularity: float64(n - i),
			Description: "a product for the trail"}
	}
	if err := db.W.CreateInBatches(&ps, 500).Error; err != nil {
		tb.Fatal(err)
	}
	// Imported an hour ago.
	if err := db.W.Exec("UPDATE products SET updated_at = ?", time.Now().Add(-time.Hour).UTC()).Error; err != nil {
		tb.Fatal(err)
	}
	s, err := New(ctx, db, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	if s.Catalog() == nil || len(s.Catalog().byID) != n {
		tb.Fatal("catalog not loaded")
	}
	return s, db
}

// sell takes qty off the stock of product id as an order does.
func sell(tb testing.TB, db *models.DB, id uint, qty int) {
	tb.Helper()
	if err := db.W.Model(&models.Product{}).Where("id = ?", id).Update("stock", gorm.Expr("stock - ?", qty)).Error; err != nil {
		tb.Fatal(err)
	}
}

func TestAnOrderOnAnotherInstanceIsFollowedWithoutAFullBuild(t *testing.T) {
	// An order taken by another instance changes stock in the database
	// alone: the refresh reads the products changed since the snapshot,
	// not the catalog, and keeps the snapshot's run (pages of other
	// products stay cached). An edit of a title still takes a full build:
	// the search index follows it. A product back in stock is among the
	// best sellers again (TestARestockTakesItsPlaceInTheListsAgain).
	ctx := context.Background()
	s, db := stockShop(t, 50)
	before := s.Catalog()
	shown := before.Shows()
	for _, id := range before.Popular[40:44] {
		p, _ := before.Product(id)
		shown.Product(p)
	}
	time.Sleep(5 * time.Millisecond) // a later updated_at
	sold := before.Popular[0]
	sell(t, db, sold, 5)
	must(t, s.RefreshCatalog(ctx, false))
	after := s.Catalog()
	if p, _ := after.Product(sold); p.Stock != 0 || slices.Contains(after.Popular, sold) {
		t.Fatalf("after another instance sold the last 5, the snapshot says stock %d, in the best sellers %v", p.Stock, slices.Contains(after.Popular, sold))
	}
	if !after.Loaded.Equal(before.Loaded) {
		t.Fatal("the refresh after another instance's order read and built the whole catalog")
	}
	if after.epoch != before.epoch || !after.Still(shown) {
		t.Fatal("following an order started a new run: every cached page is recomposed")
	}
	if version, _ := db.CatalogVersion(ctx); after.Version != version {
		t.Fatalf("the followed snapshot's version %q, the database's %q: the next poll builds it again", after.Version, version)
	}

	// A title edited on another instance, then an order: a full build.
	time.Sleep(5 * time.Millisecond)
	edited := before.Popular[10]
	must(t, db.W.Model(&models.Product{}).Where("id = ?", edited).Update("title", "Aurora Lantern").Error)
	sell(t, db, before.Popular[1], 1)
	must(t, s.RefreshCatalog(ctx, false))
	if p, _ := s.Catalog().Product(edited); p.Title != "Aurora Lantern" {
		t.Fatalf("the edited title is %q in the snapshot", p.Title)
	}
	if res, err := s.Search().Search(ctx, "aurora", false); err != nil || !slices.Contains(res.IDs, edited) {
		t.Fatalf("search for the edited title finds %v (%v)", res.IDs, err)
	}

	// Back in stock: in the best sellers again.
	time.Sleep(5 * time.Millisecond)
	must(t, db.W.Model(&models.Product{}).Where("id = ?", sold).Update("stock", 3).Error)
	must(t, s.RefreshCatalog(ctx, false))
	if !slices.Contains(s.Catalog().Popular, sold) {
		t.Fatal("a product back in stock is not among the best sellers after the refresh")
	}
}

func TestAnOrderHereIsFollowedByItsPatch(t *testing.T) {
	// An order here patches the snapshot (ProductsChanged) and asks for a
	// refresh, which finds the database as the patch shows it: no build,
	// the same snapshot, its version the database's.
	ctx := context.Background()
	s, db := stockShop(t, 50)
	id, loaded := s.Catalog().Popular[3], s.Catalog().Loaded
	time.Sleep(5 * time.Millisecond)
	sell(t, db, id, 2)
	must(t, s.ProductsChanged(ctx, id))
	if s.forceRefresh.Load() {
		t.Fatal("an order asked for a full reload")
	}
	patched := s.Catalog()
	must(t, s.RefreshCatalog(ctx, false))
	if s.Catalog() != patched || !patched.Loaded.Equal(loaded) {
		t.Fatal("the refresh after an order replaced the patched snapshot")
	}
	if p, _ := patched.Product(id); p.Stock != 3 {
		t.Fatalf("stock %d after selling 2 of 5", p.Stock)
	}
	version, _ := db.CatalogVersion(ctx)
	if m := s.matched.Load(); m == nil || m.cat != patched || m.version != version {
		t.Fatal("the patched snapshot is not known to show the database's version: the next poll reads the catalog")
	}
	s.CatalogChanged()
	if !s.forceRefresh.Load() {
		t.Fatal("an edit's CatalogChanged does not ask for a full reload")
	}
}

// BenchmarkOrderRefresh is what the catalog costs per order of two
// products on a 5,000-product shop (the small demo world's size): the
// stock update, the order's patch and the refresh that follows it, as
// now (follow) and as before (a full reload after every order).
//
//	go test -run '^$' -bench OrderRefresh -benchmem ./shop
func BenchmarkOrderRefresh(b *testing.B) {
	ctx := context.Background()
	for _, full := range []bool{false, true} {
		name := "follow"
		if full {
			name = "full-reload"
		}
		b.Run(name, func(b *testing.B) {
			s, db := stockShop(b, 5000)
			ids := s.Catalog().Popular[:100]
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a, c := ids[(2*i)%100], ids[(2*i+1)%100]
				must(b, db.W.Model(&models.Product{}).Where("id IN ?", []uint{a, c}).Update("stock", 5-i%3).Error)
				must(b, s.ProductsChanged(ctx, a, c))
				must(b, s.RefreshCatalog(ctx, full))
			}
		})
	}
}

// fullBuild is the snapshot a full build would make of db now.
func fullBuild(tb testing.TB, db *models.DB) *Catalog {
	tb.Helper()
	ctx := context.Background()
	cats, err := db.Categories(ctx)
	must(tb, err)
	ps, err := db.AllProducts(ctx)
	must(tb, err)
	return BuildCatalog(cats, ps)
}

func TestARestockTakesItsPlaceInTheListsAgain(t *testing.T) {
	// A product sold out and restocked in the admin is patched in by the
	// edit (ProductsChanged) and the refresh after it finds the database
	// as the patch shows it: the lists of products in stock (best
	// sellers, newest: fallback rows, a product page's popular row, the
	// sale page) must take it back, in its place, or it stays missing
	// until something other than stock changes. Another instance follows
	// the same restock by its poll, without a full build.
	ctx := context.Background()
	s, db := stockShop(t, 50)
	other, err := New(ctx, db, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	t.Cleanup(other.Close)
	first, otherFirst := s.Catalog(), other.Catalog()
	// Most popular, in the middle, least popular: the ends of the lists too.
	picks := []uint{first.Popular[0], first.Popular[25], first.Popular[49]}
	lists := func(c *Catalog) string { return fmt.Sprint(c.Popular, c.Newest) }
	for step, stock := range []int{0, 4} {
		time.Sleep(5 * time.Millisecond) // a later updated_at
		for _, id := range picks {
			must(t, db.W.Model(&models.Product{}).Where("id = ?", id).Update("stock", stock).Error)
			must(t, s.ProductsChanged(ctx, id)) // the admin form's save
		}
		must(t, s.RefreshCatalog(ctx, false))
		must(t, other.RefreshCatalog(ctx, false)) // its poll
		want := lists(fullBuild(t, db))
		if got := lists(s.Catalog()); got != want {
			t.Fatalf("step %d (stock %d): the lists of the instance that saved it\n%s\nwant (a full build)\n%s", step, stock, got, want)
		}
		if got := lists(other.Catalog()); got != want {
			t.Fatalf("step %d (stock %d): the other instance's lists\n%s\nwant (a full build)\n%s", step, stock, got, want)
		}
	}
	for _, id := range picks {
		if !slices.Contains(s.Catalog().Popular, id) || !slices.Contains(other.Catalog().Popular, id) {
			t.Fatalf("product %d, restocked, is not among the best sellers", id)
		}
	}
	if !other.Catalog().Loaded.Equal(otherFirst.Loaded) {
		t.Error("the other instance read and built the whole catalog to follow a restock")
	}
}

func TestAnOrderThatLeavesAProductInStockKeepsItsCards(t *testing.T) {
	// A product page's rows show other products as cards: their name,
	// price, picture and whether they are in stock. Another shopper's
	// order that leaves such a product in stock keeps the page (its own
	// page, which says how many are left, is dropped), and so does its
	// category's listing; a sell-out, a new price or a change of a product
	// of its group drops the cards (and the listing) too.
	ctx := context.Background()
	s, db := stockShop(t, 50)
	cat := s.Catalog()
	card := func(id uint) *Shown {
		p, _ := cat.Product(id)
		return cat.Shows().Card(p)
	}
	full := func(id uint) *Shown {
		p, _ := cat.Product(id)
		return cat.Shows().Product(p)
	}
	listing := func(id uint) *Shown {
		p, _ := cat.Product(id)
		return cat.Shows().Listing(cat.CategoryOf(p).ID)
	}
	ordered, priced := cat.Popular[3], cat.Popular[4]
	asCard, asPage, other := card(ordered), full(ordered), card(priced)
	orderedListing, pricedListing := listing(ordered), listing(priced) // tents and stoves
	sell(t, db, ordered, 2)
	must(t, s.ProductsChanged(ctx, ordered))
	now := s.Catalog()
	if now.epoch != cat.epoch {
		t.Fatal("an order started a new run")
	}
	if !now.Still(asCard) || !now.Still(other) {
		t.Fatal("an order leaving the product in stock (5 -> 3) dropped the cards showing it")
	}
	if !now.Still(orderedListing) {
		t.Fatal("an order leaving the product in stock dropped its category's listing, which says only that it is in stock")
	}
	if now.Still(asPage) {
		t.Fatal("an order kept the page of the product it sold, which says how many are left")
	}
	sell(t, db, ordered, 3)
	must(t, s.ProductsChanged(ctx, ordered))
	if s.Catalog().Still(asCard) {
		t.Fatal("a sell-out kept the cards of the product it sold out")
	}
	if s.Catalog().Still(orderedListing) {
		t.Fatal("a sell-out kept its category's listing, which lists it last as sold out")
	}
	if !s.Catalog().Still(pricedListing) {
		t.Fatal("a sell-out in one category dropped the other category's listing")
	}
	must(t, db.W.Model(&models.Product{}).Where("id = ?", priced).Update("price_cents", 999).Error)
	must(t, s.ProductsChanged(ctx, priced))
	if s.Catalog().Still(other) {
		t.Fatal("a new price kept the cards showing the old one")
	}
	if s.Catalog().Still(pricedListing) {
		t.Fatal("a new price kept its category's listing")
	}

	// A group's card: a sibling's order keeps it, the sibling's sell-out
	// drops it (the group's card may stand for another of its products).
	shown, sibling := cat.Popular[10], cat.Popular[11]
	must(t, db.W.Model(&models.Product{}).Where("id IN ?", []uint{shown, sibling}).Update("group_id", "lantern").Error)
	must(t, s.RefreshCatalog(ctx, true))
	cat = s.Catalog()
	grouped := card(shown)
	sell(t, db, sibling, 1)
	must(t, s.ProductsChanged(ctx, sibling))
	if !s.Catalog().Still(grouped) {
		t.Fatal("an order of a group's other product leaving it in stock dropped the group's card")
	}
	sell(t, db, sibling, 4)
	must(t, s.ProductsChanged(ctx, sibling))
	if s.Catalog().Still(grouped) {
		t.Fatal("a sell-out of a group's other product kept the group's card")
	}
}
