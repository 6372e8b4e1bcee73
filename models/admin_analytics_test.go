package models

import (
	"context"
	"testing"
	"time"
)

func TestSlotAnalyticsAttributesRevenueToLastClick(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	p1, p2 := uint(1), uint(2)
	ev := []Event{
		{UserKey: "u1", ProductID: &p1, Type: EventImpression, Slot: "s1", Position: 1, CreatedAt: day},
		{UserKey: "u1", ProductID: &p2, Type: EventImpression, Slot: "s1", Position: 2, CreatedAt: day},
		{UserKey: "u1", ProductID: &p1, Type: EventClick, Slot: "s1", CreatedAt: day.Add(time.Minute)},
		{UserKey: "u1", ProductID: &p1, Type: EventClick, Slot: "s2", CreatedAt: day.Add(2 * time.Minute)},
		{UserKey: "u1", ProductID: &p1, Type: EventAddToCart, Slot: "s2", CreatedAt: day.Add(3 * time.Minute)},
		// Bought a day later: the most recent click (slot s2) gets the revenue.
		{UserKey: "u1", ProductID: &p1, Type: EventPurchase, Value: 19.99, CreatedAt: day.Add(24 * time.Hour)},
		// Clicked 8 days before buying: outside the window, unattributed.
		{UserKey: "u2", ProductID: &p2, Type: EventClick, Slot: "s1", CreatedAt: day.Add(-8 * 24 * time.Hour)},
		{UserKey: "u2", ProductID: &p2, Type: EventPurchase, Value: 5, CreatedAt: day},
		// Another user's click does not count for u3's purchase.
		{UserKey: "u3", ProductID: &p2, Type: EventPurchase, Value: 7, CreatedAt: day.Add(time.Hour)},
	}
	if err := db.InsertEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SlotAnalytics(ctx, day.Add(-time.Hour), day.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []SlotDayStat{
		{Slot: "s1", Day: "2026-03-10", Impressions: 2, Clicks: 1},
		{Slot: "s2", Day: "2026-03-10", Clicks: 1, Carts: 1},
		{Slot: "s2", Day: "2026-03-11", Revenue: 19.99},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, rows[i], want[i])
		}
	}
}
