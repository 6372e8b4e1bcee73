package models

import (
	"context"
	"maps"
	"testing"
	"time"
)

// TestAccountOriginsAreThoseOfAccountsWithoutOrders: an account keeps the
// pseudonym of the network and day it was registered from, the one a
// visitor id minted there carries, and the training reads it back for
// every account that has bought nothing (a buyer is never a crowd's);
// accounts registered without one are not read.
func TestAccountOriginsAreThoseOfAccountsWithoutOrders(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	key := []byte("a visitor key of sixteen bytes or more")
	now := time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC)
	origin := NetworkOrigin(key, "203.0.113.7", now)
	if origin != NetworkOrigin(key, "203.0.113.200", now) || origin == NetworkOrigin(key, "198.51.100.7", now) ||
		origin == NetworkOrigin(key, "203.0.113.7", now.Add(24*time.Hour)) {
		t.Fatalf("the origin is not one network's of one day: %q", origin)
	}
	if got := VisitorOriginsFor(key).Origin("v:" + NewVisitorID(key, "203.0.113.9", now)); got != origin {
		t.Fatalf("a visitor of the network on the day carries %q, an account %q", got, origin)
	}
	browser, err := db.CreateShopperFrom(ctx, origin, "Browser", "browser@example.com", "a password for the browser")
	must(t, err)
	buyer, err := db.CreateShopperFrom(ctx, origin, "Buyer", "buyer@example.com", "a password for the buyer")
	must(t, err)
	_, err = db.CreateShopper(ctx, "Before", "before@example.com", "a password from before")
	must(t, err)
	must(t, db.W.Create(&Order{ShopperID: &buyer.ID, IdempotencyKey: "buyer-order-0123456789", Status: "paid", TotalCents: 100}).Error)
	got, err := db.AccountOrigins(ctx)
	must(t, err)
	if want := map[string]string{browser.ExternalID: origin}; !maps.Equal(got, want) {
		t.Errorf("account origins %v, want %v", got, want)
	}
}
