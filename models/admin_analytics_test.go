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
	rows, err := db.SlotAnalytics(ctx, day.Add(-time.Hour), day.Add(48*time.Hour), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := []SlotDayStat{
		{Slot: "s1", Day: "2026-03-10", Impressions: 2, Clicks: 1},
		{Slot: "s2", Day: "2026-03-10", Clicks: 1, Carts: 1},
		{Slot: "s2", Day: "2026-03-11", Revenue: 19.99},
	}
	sameSlotDays(t, rows, want)
}

// TestSlotAnalyticsCountsTheShopsDays: a shop in New York sees an evening
// click on the day it happened there, not on the next (as in UTC), on
// both sides of the change to summer time within the range.
func TestSlotAnalyticsCountsTheShopsDays(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	p1 := uint(1)
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, ny) }
	ev := []Event{
		// 23:30 in New York is 04:30 UTC the next day (winter) and 03:30
		// (summer, from 8 March).
		{UserKey: "u1", ProductID: &p1, Type: EventClick, Slot: "s1", CreatedAt: at(6, 23, 30)},
		{UserKey: "u1", ProductID: &p1, Type: EventClick, Slot: "s1", CreatedAt: at(9, 23, 30)},
		{UserKey: "u1", ProductID: &p1, Type: EventPurchase, Value: 10, CreatedAt: at(9, 23, 45)},
		// 00:10 on the 10th there is the 10th.
		{UserKey: "u2", ProductID: &p1, Type: EventClick, Slot: "s1", CreatedAt: at(10, 0, 10)},
	}
	if err := db.InsertEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SlotAnalytics(ctx, at(6, 0, 0), at(11, 0, 0), ny)
	if err != nil {
		t.Fatal(err)
	}
	want := []SlotDayStat{
		{Slot: "s1", Day: "2026-03-06", Clicks: 1},
		{Slot: "s1", Day: "2026-03-09", Clicks: 1, Revenue: 10},
		{Slot: "s1", Day: "2026-03-10", Clicks: 1},
	}
	sameSlotDays(t, rows, want)
}

func sameSlotDays(t *testing.T, rows, want []SlotDayStat) {
	t.Helper()
	if len(rows) != len(want) {
		t.Fatalf("got %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, rows[i], want[i])
		}
	}
}
