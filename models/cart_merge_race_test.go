package models

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A login sent twice at the same moment (a double click on "Log in", or
// two tabs), each request through another instance: the visitor's cart is
// moved onto the account once. On PostgreSQL both merges read the visitor's
// lines before either deleted them, and each added them to the account's
// cart: two tents in the visitor's cart became four in the account's.
func TestALoginSentTwiceMergesTheVisitorsCartOnce(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	p := mustProducts(t, db, Product{ExternalID: "TENT", Slug: "tent", Title: "Tent", PriceCents: 10000, Stock: 1000})[0]
	for round := range 20 {
		visitor, shopper := fmt.Sprintf("v:double-%d", round), fmt.Sprintf("s-double-%d", round)
		must(t, db.AddToCart(ctx, visitor, p.ID, 2))
		errA, errB := atOnce(
			func() error { return db.MergeVisitor(ctx, visitor, shopper) },
			func() error { return other.MergeVisitor(ctx, visitor, shopper) })
		if errA != nil || errB != nil {
			t.Fatalf("round %d: merges: %v, %v", round, errA, errB)
		}
		lines, err := db.CartLines(ctx, shopper)
		must(t, err)
		if len(lines) != 1 || lines[0].Quantity != 2 {
			t.Fatalf("round %d: the account's cart after a visit's 2 tents merged by a login sent twice: %d lines, the first of %d; want one line of 2", round, len(lines), lines[0].Quantity)
		}
		if left, err := db.CartLines(ctx, visitor); err != nil || len(left) != 0 {
			t.Fatalf("round %d: the visitor's cart still holds %+v (%v)", round, left, err)
		}
	}
}

// A shopper logs in on a second device, whose visit put a stove in its
// cart, while their first device checks out the account's cart (60 lines,
// so the checkout takes a while between reading the cart and emptying it):
// the stove ends up either in the order (the login came first) or in the
// account's cart (after), never nowhere. On PostgreSQL the checkout emptied
// the account's cart after the merge had put the stove there, though the
// order held only what it had read before.
func TestALoginDuringACheckoutKeepsTheVisitorsLines(t *testing.T) {
	db, other := twoInstances(t)
	ctx := context.Background()
	var ps []Product
	for i := range 61 {
		ps = append(ps, Product{ExternalID: fmt.Sprintf("P%d", i), Slug: fmt.Sprintf("p%d", i), Title: "Gear", PriceCents: 1000, Stock: 1000})
	}
	ps = mustProducts(t, db, ps...)
	stove, gear := ps[0], ps[1:]
	addr := Address{Name: "A", Email: "a@example.com", Street: "1 Main St", City: "Town", Postcode: "1", Country: "X"}
	for round := range 12 {
		sh := Shopper{ExternalID: fmt.Sprintf("s-two-devices-%d", round), Name: "Buyer"}
		must(t, db.W.Create(&sh).Error)
		visitor := fmt.Sprintf("v:second-device-%d", round)
		lines := make([]CartItem, len(gear))
		for i, p := range gear {
			lines[i] = CartItem{OwnerKey: sh.ExternalID, ProductID: p.ID, Quantity: 1}
		}
		must(t, db.W.Create(&lines).Error)
		must(t, db.AddToCart(ctx, visitor, stove.ID, 1))
		var order *Order
		errA, errB := atOnce(
			func() error {
				var err error
				order, _, err = db.PlaceOrder(ctx, sh.ExternalID, sh.ID, fmt.Sprintf("two-devices-%04d-xxxxxxxxxxxx", round), addr)
				return err
			},
			func() error {
				// The login at moments spread over the checkout's.
				time.Sleep(time.Duration(round%4) * 5 * time.Millisecond)
				return other.MergeVisitor(ctx, visitor, sh.ExternalID)
			})
		if errA != nil || errB != nil {
			t.Fatalf("round %d: checkout %v, merge %v", round, errA, errB)
		}
		var ordered int64
		must(t, db.R.Model(&OrderItem{}).Where("order_id = ? AND product_id = ?", order.ID, stove.ID).Count(&ordered).Error)
		left, err := db.CartLines(ctx, sh.ExternalID)
		must(t, err)
		inCart := 0
		for _, l := range left {
			if l.ProductID == stove.ID {
				inCart++
			}
		}
		if ordered+int64(inCart) != 1 {
			t.Fatalf("round %d: the second device's stove is in the order %d times and in the cart %d times; want once in all", round, ordered, inCart)
		}
	}
}
