package models

import (
	"context"
	"errors"
	"testing"
)

// TestAnOrderIsPlacedOnlyFromTheCartTheShopperWasShown: the checkout form
// names the cart its page showed (CartDigest), and the order's transaction
// refuses any other cart, so a price changed or a line swapped for one of
// the same total while the payment was being authorized places no order
// the shopper did not see. A payment without a digest is checked as before.
func TestAnOrderIsPlacedOnlyFromTheCartTheShopperWasShown(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	ps := mustProducts(t, db, Product{ExternalID: "A", Slug: "a", Title: "A", PriceCents: 500, Stock: 10}, Product{ExternalID: "B", Slug: "b", Title: "B", PriceCents: 500, Stock: 10})
	a, b := ps[0], ps[1]
	sh := Shopper{ExternalID: "s-digest", Name: "Shown"}
	must(t, db.W.Create(&sh).Error)
	must(t, db.AddToCart(ctx, sh.ExternalID, a.ID, 2))
	lines, err := db.CartLines(ctx, sh.ExternalID)
	must(t, err)
	shown := CartDigest(lines)
	if shown == "" || shown == CartDigest(nil) {
		t.Fatalf("the digest of a cart of two is %q", shown)
	}
	addr := Address{Name: "Shown", Email: "shown@example.com", Street: "1 Main St", City: "Leeds", Postcode: "LS1 4AP", Country: "GB"}
	place := func(key string) error {
		_, _, err := db.PlaceOrderPaid(ctx, sh.ExternalID, sh.ID, key, addr, Payment{Ref: "auth-" + key, AuthorizedCents: 1000, CartDigest: shown})
		return err
	}

	// The same total, another product: the authorized amount matches,
	// the cart is not the one shown.
	must(t, db.SetCartQuantity(ctx, sh.ExternalID, a.ID, 0))
	must(t, db.AddToCart(ctx, sh.ExternalID, b.ID, 2))
	if err := place("digest-key-000000001"); !errors.Is(err, ErrCartChanged) {
		t.Fatalf("a cart swapped for one of the same total: %v, want ErrCartChanged", err)
	}
	// A price changed: refused though the quantity is the same.
	must(t, db.SetCartQuantity(ctx, sh.ExternalID, b.ID, 0))
	must(t, db.AddToCart(ctx, sh.ExternalID, a.ID, 2))
	must(t, db.W.Model(&Product{}).Where("id = ?", a.ID).Update("price_cents", 499).Error)
	if err := place("digest-key-000000002"); !errors.Is(err, ErrCartChanged) {
		t.Fatalf("a price changed: %v, want ErrCartChanged", err)
	}
	var orders int64
	must(t, db.R.Model(&Order{}).Count(&orders).Error)
	var after Product
	must(t, db.R.First(&after, a.ID).Error)
	if orders != 0 || after.Stock != 10 {
		t.Fatalf("%d orders, stock %d after two refusals; want none and 10", orders, after.Stock)
	}
	// The cart shown: placed.
	must(t, db.W.Model(&Product{}).Where("id = ?", a.ID).Update("price_cents", 500).Error)
	if err := place("digest-key-000000003"); err != nil {
		t.Fatalf("the cart shown: %v", err)
	}
}
