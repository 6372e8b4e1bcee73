package shop

import (
	"strings"
	"testing"

	"storefront/models"
)

// The publish check fills rows in the order the homepage does: a free row
// narrowed to brands or a price range before the broad free rows, so a
// broad row losing products to a narrowed one below it is not told to
// move above it.
func TestTheCheckFillsANarrowedRowBeforeBroadOnes(t *testing.T) {
	broad := &models.Slot{ID: 1, Position: 2, Title: "Best sellers"}
	narrow := &models.Slot{ID: 2, Position: 5, Title: "Hachette picks", Brands: "Hachette"}
	priced := &models.Slot{ID: 3, Position: 6, Title: "Under 20", MaxPrice: 2000}
	locked := &models.Slot{ID: 4, Position: 7, Title: "Sale", Locked: true}
	if !(fillRank(locked) < fillRank(narrow) && fillRank(narrow) == fillRank(priced) && fillRank(priced) < fillRank(broad)) {
		t.Fatalf("fill ranks locked %d, brands %d, price %d, broad %d: want locked < narrowed < broad",
			fillRank(locked), fillRank(narrow), fillRank(priced), fillRank(broad))
	}
	got := takers{{slot: narrow, shown: 3}, {slot: priced, shown: 1}}.advice(broad)
	if want := "(“Hachette picks” and “Under 20” are narrowed to brands or a price range, so filled first)"; !strings.Contains(got, want) {
		t.Errorf("advice %q does not say %q", got, want)
	}
	if strings.Contains(got, "Move it above") {
		t.Errorf("advice %q tells the broad row to move above rows that are filled first wherever it is", got)
	}
}
