package main

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/templates"
)

// TestPageChancesFollowTheAgentsReading: a page's chance of a click and of a
// cart is that of the agent reading its cards in order, the first click
// ending the page, and products it clicked before are passed over.
func TestPageChancesFollowTheAgentsReading(t *testing.T) {
	w := &world{byID: map[uint]*item{}}
	for _, it := range []item{
		{id: 1, dept: "Outdoor", category: "Tents", brand: "Alder", price: 200, buyable: true},
		{id: 2, dept: "Outdoor", category: "Tents", brand: "Birch", price: 150, buyable: true},
		{id: 3, dept: "Kitchen", category: "Pans", brand: "Cobalt", price: 30, buyable: true},
	} {
		w.items = append(w.items, it)
	}
	for i := range w.items {
		w.byID[w.items[i].id] = &w.items[i]
	}
	tst := taste{dept: "Outdoor", favorites: map[string]bool{"Tents": true}, brand: "Alder", price: 200, seed: 7}
	chance := func(id uint, att float64) (click, cart float64) {
		u := tst.utility(w.byID[id])
		click = att * sigmoid((u-clickAt)/choiceWidth)
		return click, click * sigmoid((u-cartAt)/choiceWidth)
	}
	page := []card{{id: 1, row: 0, col: 0}, {id: 2, row: 0, col: 1}, {id: 3, row: 1, col: 0}}
	p1, c1 := chance(1, 1)
	p2, c2 := chance(2, cardDecay)
	p3, c3 := chance(3, rowDecay)
	wantClick := p1 + (1-p1)*p2 + (1-p1)*(1-p2)*p3
	wantCart := c1 + (1-p1)*c2 + (1-p1)*(1-p2)*c3
	click, cart := pageChances(tst, w, page, map[uint]bool{})
	if math.Abs(click-wantClick) > 1e-12 || math.Abs(cart-wantCart) > 1e-12 {
		t.Fatalf("page chances %.4f, %.4f; want %.4f, %.4f", click, cart, wantClick, wantCart)
	}
	// The tent it opened before is passed over: the second tent is read
	// first, with the attention of its place.
	click, cart = pageChances(tst, w, page, map[uint]bool{1: true})
	if want := p2 + (1-p2)*p3; math.Abs(click-want) > 1e-12 || math.Abs(cart-(c2+(1-p2)*c3)) > 1e-12 {
		t.Fatalf("after opening the first tent: %.4f, %.4f; want %.4f, %.4f", click, cart, want, c2+(1-p2)*c3)
	}
	// The agent's own tent first is worth more than the pan first.
	_, tentFirst := pageChances(tst, w, []card{{id: 1}, {id: 3, col: 1}}, nil)
	_, panFirst := pageChances(tst, w, []card{{id: 3}, {id: 1, col: 1}}, nil)
	if tentFirst <= panFirst {
		t.Fatalf("chance of a cart with the liked tent first %.4f, with the pan first %.4f", tentFirst, panFirst)
	}
}

// TestProductRowCardsReadAProductPagesRows: the agent reads a product page's
// rows as the page renders them ("Customers also bought", then "Similar
// items"), below the product itself, and never the product as a card; a
// homepage reader finds no homepage rows there.
func TestProductRowCardsReadAProductPagesRows(t *testing.T) {
	vm := templates.ProductPage{ID: 5, Title: "Alder tent", Brand: "Alder", PriceCents: 20000, Stock: 3, Active: true,
		AlsoBought: []templates.Card{{ID: 7, URL: "/p/7-peg"}, {ID: 8, URL: "/p/8-mat"}},
		Similar:    []templates.Card{{ID: 9, URL: "/p/9-tent"}}}
	var buf bytes.Buffer
	if err := templates.ProductBody(vm).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []card{{id: 7, href: "/p/7-peg", row: 1, col: 0}, {id: 8, href: "/p/8-mat", row: 1, col: 1}, {id: 9, href: "/p/9-tent", row: 2, col: 0}}
	if got := productRowCards(doc); !slices.Equal(got, want) {
		t.Fatalf("product page rows %+v, want %+v", got, want)
	}
	if got := homeCards(doc); len(got) != 0 {
		t.Fatalf("homepage rows on a product page: %+v", got)
	}
}

// TestAnAgentWhoReadsProductRowsShopsFromThem: with readsRows the agent
// opens products from the rows of the product page it is on and comes back
// to the homepage only when they hold nothing it opens or it has what it
// came for; without, it comes back after every product. The oracle's
// product pages are filled with its best products, so no shop is needed.
func TestAnAgentWhoReadsProductRowsShopsFromThem(t *testing.T) {
	w := &world{byID: map[uint]*item{}}
	for id := uint(1); id <= 12; id++ {
		w.items = append(w.items, item{id: id, dept: "Outdoor", category: "Tents", brand: "Alder", price: 200, buyable: true})
	}
	for i := range w.items {
		w.byID[w.items[i].id] = &w.items[i]
	}
	tst := taste{dept: "Outdoor", favorites: map[string]bool{"Tents": true}, brand: "Alder", price: 200, seed: 3}
	home := []card{{row: 0, col: 0}, {row: 0, col: 1}}
	rows := []card{{row: 1, col: 0}, {row: 1, col: 1}, {row: 1, col: 2}, {row: 2, col: 0}, {row: 2, col: 1}}
	var homepages [2]int
	for i, reads := range []bool{false, true} {
		a := &agent{taste: tst, patience: 1, wants: 3, readsRows: reads}
		v, err := a.browse(context.Background(), nil, w, armOracle, rand.New(rand.NewPCG(1, 2)), home, rows)
		if err != nil {
			t.Fatal(err)
		}
		if v.carts != 3 || v.ended != endWants {
			t.Fatalf("reads rows %v: %d in the cart, ended %d; want 3, the products it came for", reads, v.carts, v.ended)
		}
		if v.clicks != v.pages+v.rowClicks || reads != (v.rowClicks > 0) || v.rowClicks > v.productPages {
			t.Fatalf("reads rows %v: %d products opened, %d homepages, %d opened from %d product pages' rows", reads, v.clicks, v.pages, v.rowClicks, v.productPages)
		}
		homepages[i] = v.pages
	}
	if homepages[1] >= homepages[0] {
		t.Fatalf("homepages %d reading the product pages' rows, %d without", homepages[1], homepages[0])
	}
}

// TestEndingsCountVisitsWithAClick: how visits ended is told over the
// visits with at least one click, with their add-to-cart.
func TestEndingsCountVisitsWithAClick(t *testing.T) {
	e := endings([]visit{
		{clicks: 0, ended: endPatience},
		{clicks: 2, carts: 2, ended: endWants},
		{clicks: 1, carts: 0, ended: endPatience},
		{clicks: 3, carts: 1, ended: endPatience},
	})
	if e.visits != 3 || e.share(endWants) != 1.0/3 || e.share(endPatience) != 2.0/3 || e.carts(endPatience) != 0.5 || e.carts(endPages) != 0 {
		t.Fatalf("endings %+v", e)
	}
}

// TestTheShareWithoutTheControlGroupLeavesOutItsVisitors: the shop's
// control group is read from the cookies-kept browser's visitor cookie, and
// the figures without it are those of the other agents alone.
func TestTheShareWithoutTheControlGroupLeavesOutItsVisitors(t *testing.T) {
	s := &shopClient{base: "http://127.0.0.1:1", hc: &http.Client{}, control: func(id string) bool { return id == "ctl" }}
	for cookie, want := range map[string]bool{"ctl.SIGNATURE": true, "other.SIGNATURE": false, "": false} {
		hc := s.newBrowser()
		if cookie != "" {
			u, _ := url.Parse(s.base)
			hc.Jar.SetCookies(u, []*http.Cookie{{Name: visitorCookie, Value: cookie}})
		}
		if got := s.inControl(hc); got != want {
			t.Errorf("cookie %q: in the control group %v, want %v", cookie, got, want)
		}
	}
	res := &results{}
	for a := range numArms {
		res.visits[a] = make([]visit, 4)
	}
	// Agents 0–2 personalized; agent 3 in the control group, where cookies
	// kept does no better than a new visitor on every page.
	for i, c := range []int{2, 1, 2, 0} {
		res.visits[armCookies][i] = visit{carts: c, control: i == 3}
		res.visits[armNew][i] = visit{carts: 0}
		res.visits[armOracle][i] = visit{carts: 3}
	}
	kept := personalized(res)
	if !slices.Equal(kept, []int{0, 1, 2}) {
		t.Fatalf("personalized agents %v", kept)
	}
	if all, without := figuresOf(res, []int{0, 1, 2, 3}).uplift, figuresOf(res, kept).uplift; math.Abs(without-5.0/9) > 1e-12 || math.Abs(all-5.0/12) > 1e-12 {
		t.Fatalf("share %.4f with the control group, %.4f without; want %.4f, %.4f", all, without, 5.0/12, 5.0/9)
	}
}

// TestPagesBackWithoutAClickAreTheHomepagesBeforeTheFirstClick: the
// figure of a stranger's pages for a visitor back without a click sums
// every homepage after the first until the first click: an agent that
// likes nothing on offer sits through its three homepages, two of them
// back without a click; one that opens a product on its first homepage
// has none.
func TestPagesBackWithoutAClickAreTheHomepagesBeforeTheFirstClick(t *testing.T) {
	w := &world{byID: map[uint]*item{}}
	for id := uint(1); id <= 12; id++ {
		w.items = append(w.items, item{id: id, dept: "Outdoor", category: "Tents", brand: "Alder", price: 200, buyable: true})
	}
	for i := range w.items {
		w.byID[w.items[i].id] = &w.items[i]
	}
	home := []card{{row: 0, col: 0}, {row: 0, col: 1}}
	for _, c := range []struct {
		tst         taste
		pages, back int
	}{
		{taste{dept: "Kitchen", favorites: map[string]bool{"Pans": true}, brand: "Ember", price: 20, seed: 3}, 3, 2},
		{taste{dept: "Outdoor", favorites: map[string]bool{"Tents": true}, brand: "Alder", price: 200, seed: 3}, 1, 0},
	} {
		a := &agent{taste: c.tst, patience: 3, wants: 1}
		v, err := a.browse(context.Background(), nil, w, armOracle, rand.New(rand.NewPCG(1, 2)), home, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v.pages != c.pages || v.back.pages != c.back || v.first.pages != 1 {
			t.Fatalf("%s shopper: %d homepages, %d back without a click, %d first; want %d, %d, 1", c.tst.dept, v.pages, v.back.pages, v.first.pages, c.pages, c.back)
		}
		if c.back > 0 && (v.back.click <= 0 || v.back.click >= 0.01*float64(c.back)) {
			t.Fatalf("%s shopper: chance of a click summed over the pages back %.4f; want a little above 0", c.tst.dept, v.back.click)
		}
	}
}

// TestPagesAfterAClickAreToldByTheLatestProductOpened: a product is of a
// category the agent came for, of another category of its department, or
// outside it; the pages after the first click are summed by the latest
// product opened, the control group's apart, and the report tells them.
func TestPagesAfterAClickAreToldByTheLatestProductOpened(t *testing.T) {
	tst := taste{dept: "Outdoor", favorites: map[string]bool{"Tents": true}, brand: "Alder", price: 200, seed: 3}
	for _, c := range []struct {
		it   item
		want latestKind
	}{
		{item{dept: "Outdoor", category: "Tents"}, latestOwn},
		{item{dept: "Outdoor", category: "Stoves"}, latestDept},
		{item{dept: "Kitchen", category: "Pans"}, latestOutside},
	} {
		if got := tst.kindOf(&c.it); got != c.want {
			t.Fatalf("%s/%s: %d, want %d", c.it.dept, c.it.category, got, c.want)
		}
	}
	w := &world{byID: map[uint]*item{}}
	for id := uint(1); id <= 12; id++ {
		w.items = append(w.items, item{id: id, dept: "Outdoor", category: "Tents", brand: "Alder", price: 200, buyable: true})
	}
	for i := range w.items {
		w.byID[w.items[i].id] = &w.items[i]
	}
	a := &agent{taste: tst, patience: 3, wants: 3}
	home := []card{{row: 0, col: 0}, {row: 0, col: 1}}
	v, err := a.browse(context.Background(), nil, w, armOracle, rand.New(rand.NewPCG(1, 2)), home, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.clicks < 2 || v.firstKind != latestOwn || v.afterBy[latestOwn] != v.after || v.afterBy[latestDept].pages+v.afterBy[latestOutside].pages+v.afterBy[latestControl].pages != 0 {
		t.Fatalf("%d clicks, first %d, after %+v by the latest %+v", v.clicks, v.firstKind, v.after, v.afterBy)
	}
	ctl := visit{clicks: 1, carts: 0, control: true}
	ctl.afterBy[latestControl] = pageSums{pages: 2, click: 0.5, carted: 0.1}
	var out bytes.Buffer
	afterByLatest(&out, []visit{v, ctl})
	for _, want := range []string{"a category it came for", "the control group's pages                  2 pages   click 0.250   cart 0.050", "a category it came for 1 ("} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Fatalf("the report says\n%s\nwant %q", out.String(), want)
		}
	}
}
