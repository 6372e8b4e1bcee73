package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A cart holds at most MaxCartLines different products: the next one is
// refused with a message saying so, lines already in it still grow, and a
// visit merged at login does not take the account's cart past the cap.
func TestCartLinesAreCapped(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	cat := Category{Slug: "things", Name: "Things"}
	must(t, db.W.Create(&cat).Error)
	ps := make([]Product, MaxCartLines+5)
	for i := range ps {
		ps[i] = Product{ExternalID: fmt.Sprintf("T%d", i), Slug: fmt.Sprintf("thing-%d", i), Title: fmt.Sprintf("Thing %d", i), CategoryID: cat.ID, PriceCents: 100, Stock: 10, Active: true}
	}
	must(t, db.W.Create(&ps).Error)
	const owner = "v:cart-cap"
	for i := range MaxCartLines {
		must(t, db.AddToCart(ctx, owner, ps[i].ID, 1))
	}
	err := db.AddToCart(ctx, owner, ps[MaxCartLines].ID, 1)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["quantity"], fmt.Sprintf("%d different products", MaxCartLines)) {
		t.Fatalf("line %d: %v, want a refusal naming the limit", MaxCartLines+1, err)
	}
	must(t, db.AddToCart(ctx, owner, ps[0].ID, 1))
	lines := func(o string) int64 {
		var n int64
		must(t, db.R.Model(&CartItem{}).Where("owner_key = ?", o).Count(&n).Error)
		return n
	}
	if n := lines(owner); n != MaxCartLines {
		t.Fatalf("the cart holds %d lines, want %d", n, MaxCartLines)
	}
	const shopper = "s-cart-cap"
	for i := MaxCartLines; i < len(ps); i++ {
		must(t, db.AddToCart(ctx, shopper, ps[i].ID, 1))
	}
	must(t, db.MergeVisitor(ctx, owner, shopper))
	if n := lines(shopper); n != MaxCartLines {
		t.Fatalf("after the merge the account's cart holds %d lines, want %d", n, MaxCartLines)
	}
}

// Visitors' carts untouched for the idle period are deleted; recent ones
// and shoppers' carts are kept.
func TestIdleVisitorCartsAreDeleted(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	cat := Category{Slug: "things", Name: "Things"}
	must(t, db.W.Create(&cat).Error)
	ps := []Product{
		{ExternalID: "A", Slug: "a", Title: "A", CategoryID: cat.ID, PriceCents: 100, Stock: 10, Active: true},
		{ExternalID: "B", Slug: "b", Title: "B", CategoryID: cat.ID, PriceCents: 100, Stock: 10, Active: true},
	}
	must(t, db.W.Create(&ps).Error)
	for _, o := range []string{"v:gone", "v:mixed", "v:recent", "s-old-shopper"} {
		must(t, db.AddToCart(ctx, o, ps[0].ID, 1))
		must(t, db.AddToCart(ctx, o, ps[1].ID, 1))
	}
	old := time.Now().Add(-40 * 24 * time.Hour)
	must(t, db.W.Model(&CartItem{}).Where("owner_key IN ?", []string{"v:gone", "s-old-shopper"}).UpdateColumn("updated_at", old).Error)
	// One line of this cart changed lately: the cart is in use, kept whole.
	must(t, db.W.Model(&CartItem{}).Where("owner_key = ? AND product_id = ?", "v:mixed", ps[0].ID).UpdateColumn("updated_at", old).Error)
	n, err := db.DeleteIdleVisitorCarts(ctx, time.Now().Add(-30*24*time.Hour))
	must(t, err)
	if n != 2 {
		t.Errorf("deleted %d lines, want the 2 of v:gone", n)
	}
	for o, want := range map[string]int64{"v:gone": 0, "v:mixed": 2, "v:recent": 2, "s-old-shopper": 2} {
		var got int64
		must(t, db.R.Model(&CartItem{}).Where("owner_key = ?", o).Count(&got).Error)
		if got != want {
			t.Errorf("%s: %d lines, want %d", o, got, want)
		}
	}
}
