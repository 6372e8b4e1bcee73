package models

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestSetCartQuantityRefusesMoreThanStock: the cart's quantity box cannot
// raise a line above what is left (adding is capped at it); it names how
// many are left and keeps the line as it was, and lowering stays allowed.
func TestSetCartQuantityRefusesMoreThanStock(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	cat := Category{Slug: "dresses", Name: "Dresses"}
	if err := db.W.Create(&cat).Error; err != nil {
		t.Fatal(err)
	}
	p := Product{ExternalID: "D1", Slug: "red-dress", Title: "Red Dress", CategoryID: cat.ID, PriceCents: 4467, Stock: 23, Active: true}
	if err := db.W.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	const owner = "s-qty"
	if err := db.AddToCart(ctx, owner, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	quantity := func() int {
		var l CartItem
		if err := db.R.Where("owner_key = ? AND product_id = ?", owner, p.ID).First(&l).Error; err != nil {
			t.Fatal(err)
		}
		return l.Quantity
	}
	err := db.SetCartQuantity(ctx, owner, p.ID, 50)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["quantity"], "only 23") {
		t.Fatalf("raising to 50 with 23 in stock: %v, want a refusal naming 23 left", err)
	}
	if q := quantity(); q != 2 {
		t.Fatalf("line holds %d after the refusal, want 2", q)
	}
	if err := db.SetCartQuantity(ctx, owner, p.ID, 23); err != nil {
		t.Fatalf("raising to exactly the stock: %v", err)
	}
	// Stock falls below the line; lowering it is still allowed.
	if err := db.W.Model(&Product{}).Where("id = ?", p.ID).Update("stock", 5).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.SetCartQuantity(ctx, owner, p.ID, 10); err != nil {
		t.Fatalf("lowering 23 to 10 with 5 in stock: %v, want it allowed", err)
	}
	if q := quantity(); q != 10 {
		t.Fatalf("line holds %d, want 10", q)
	}
	if err := db.SetCartQuantity(ctx, owner, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	var n int64
	db.R.Model(&CartItem{}).Where("owner_key = ?", owner).Count(&n)
	if n != 0 {
		t.Fatalf("%d lines after setting 0, want the line removed", n)
	}
}

// TestAddToCartWhenTheLineHoldsAllTheStock: adding to a line that already
// holds every one in stock is refused, saying so, instead of reporting an
// add that changed nothing.
func TestAddToCartWhenTheLineHoldsAllTheStock(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	cat := Category{Slug: "trainers", Name: "Trainers"}
	if err := db.W.Create(&cat).Error; err != nil {
		t.Fatal(err)
	}
	p := Product{ExternalID: "T1", Slug: "trainers", Title: "Blue Trainers", CategoryID: cat.ID, PriceCents: 5000, Stock: 3, Active: true}
	if err := db.W.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	const owner = "s-all"
	if err := db.AddToCart(ctx, owner, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := db.AddToCart(ctx, owner, p.ID, 2); err != nil {
		t.Fatalf("adding 2 to 2 with 3 in stock: %v, want the line raised to 3", err)
	}
	err := db.AddToCart(ctx, owner, p.ID, 1)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["quantity"], "all 3") {
		t.Fatalf("adding to a line holding all 3 in stock: %v, want a refusal saying so", err)
	}
	var l CartItem
	if err := db.R.Where("owner_key = ? AND product_id = ?", owner, p.ID).First(&l).Error; err != nil {
		t.Fatal(err)
	}
	if l.Quantity != 3 {
		t.Fatalf("line holds %d, want 3", l.Quantity)
	}
}
