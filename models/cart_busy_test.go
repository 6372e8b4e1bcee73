package models

import (
	"context"
	"net/url"
	"testing"
)

// TestACheckoutThatWaitedTooLongIsTriedAgain: a checkout that waits for a
// product row (or, on SQLite, the write lock) longer than the wait limit,
// as when many shoppers buy the last units at once on a slow moment, is
// tried again once the lock is free and places the order: the shopper is
// not told "busy" with the product still in stock.
func TestACheckoutThatWaitedTooLongIsTriedAgain(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	p := mustProducts(t, db, Product{ExternalID: "LAST", Slug: "last", Title: "Last Units", PriceCents: 1500, Stock: 3})[0]
	sh := Shopper{ExternalID: "s-wait", Name: "Patient"}
	must(t, db.W.Create(&sh).Error)
	must(t, db.AddToCart(ctx, sh.ExternalID, p.ID, 1))

	// The buyer's instance waits a short time for a lock on PostgreSQL;
	// SQLite's wait is its busy timeout.
	target := db.Target()
	if db.Postgres() {
		u, err := url.Parse(target)
		must(t, err)
		q := u.Query()
		q.Set("lock_timeout", "300ms")
		u.RawQuery = q.Encode()
		target = u.String()
	}
	buyer, err := Open(target)
	must(t, err)
	defer buyer.Close()

	// Someone else holds the product's row (the write lock on SQLite).
	other, err := Open(db.Target())
	must(t, err)
	defer other.Close()
	pool, err := other.W.DB()
	must(t, err)
	conn, err := pool.Conn(ctx)
	must(t, err)
	defer conn.Close()
	if db.Postgres() {
		_, err = conn.ExecContext(ctx, "BEGIN")
		must(t, err)
		_, err = conn.ExecContext(ctx, "SELECT id FROM products WHERE id = $1 FOR UPDATE", p.ID)
	} else {
		_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	}
	must(t, err)
	waited := 0
	testHookBusyRetry = func() {
		waited++
		if waited == 1 {
			conn.ExecContext(ctx, "ROLLBACK")
		}
	}
	defer func() { testHookBusyRetry = nil }()

	order, created, err := buyer.PlaceOrder(ctx, sh.ExternalID, sh.ID, "wait-key-0001-xxxxxxxxxxxxxxxx", Address{Name: "Patient", Email: "p@example.com",
		Street: "1 Main St", City: "Springfield", Postcode: "12345", Country: "USA"})
	if err != nil {
		t.Fatalf("the checkout that waited for the lock: %v (after %d waits)", err, waited)
	}
	if waited == 0 || !created || order.TotalCents != 1500 {
		t.Fatalf("waited %d times, created %v, total %d; want a wait, then the order of 15.00", waited, created, order.TotalCents)
	}
	var after Product
	must(t, db.R.First(&after, p.ID).Error)
	if after.Stock != 2 {
		t.Fatalf("stock %d after one unit sold of 3", after.Stock)
	}
}
