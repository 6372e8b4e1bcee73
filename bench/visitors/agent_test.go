package main

import (
	"math"
	"testing"
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
