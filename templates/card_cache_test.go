package templates

import (
	"context"
	"strings"
	"testing"
)

// A row's card comes from the kept rendering only while nothing it shows
// changed: the same card renders as ProductCard does, and a new price, a
// sell-out, a new title or another currency renders it afresh.
func TestRowCardIsProductCardFollowingItsInputs(t *testing.T) {
	render := func(ctx context.Context, c Card, row bool) string {
		t.Helper()
		var b strings.Builder
		comp := ProductCard(c)
		if row {
			comp = RowCard(c)
		}
		if err := comp.Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	ctx := context.Background()
	euros := WithShop(ctx, ShopView{Name: "Laden", Money: NewMoneyFormat("€", "1.234,56", true)})
	base := Card{ID: 7, ExternalID: "TENT-2", Title: "Ridge Tent", Brand: "Alpen", PriceCents: 129900, InStock: true,
		URL: "/p/7-ridge-tent", Image: "/img/p/7"}
	sale := base
	sale.CompareAtCents, sale.DiscountPercent = 159900, 18
	soldOut := base
	soldOut.InStock = false
	renamed := base
	renamed.Title = "Ridge Tent 2P"
	for _, tc := range []struct {
		name string
		ctx  context.Context
		c    Card
		want string
	}{
		{"first", ctx, base, "$1,299.00"},
		{"again", ctx, base, "$1,299.00"},
		{"on sale", ctx, sale, "-18%"},
		{"sold out", ctx, soldOut, "Out of stock"},
		{"renamed", ctx, renamed, "Ridge Tent 2P"},
		{"in euros", euros, base, "1.299,00 €"},
		{"back to dollars", ctx, base, "$1,299.00"},
	} {
		got, want := render(tc.ctx, tc.c, true), render(tc.ctx, tc.c, false)
		if got != want {
			t.Errorf("%s: row card\n%s\nwant ProductCard's\n%s", tc.name, got, want)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: card does not show %q:\n%s", tc.name, tc.want, got)
		}
	}
	if strings.Contains(render(ctx, base, true), "Out of stock") {
		t.Error("the card in stock shows the sold-out card's text")
	}
}
