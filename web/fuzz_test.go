package web

import (
	"context"
	"encoding/json"
	"math"
	"storefront/templates"
	"strconv"
	"strings"
	"testing"
	"time"

	"storefront/models"
	shopsvc "storefront/shop"
)

// FuzzParseProductID: an accepted /p/:id is a positive 32-bit id written
// in digits before any slug.
func FuzzParseProductID(f *testing.F) {
	for _, s := range []string{"1", "123-alpine-trail-tent", "0", "-1", "007-x", "4294967296", "1e3", "12abc", "", "１２", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, ok := parseProductID(raw)
		if !ok {
			return
		}
		digits, _, _ := strings.Cut(raw, "-")
		want, err := strconv.ParseUint(digits, 10, 32)
		if err != nil || id == 0 || uint64(id) != want {
			t.Fatalf("parseProductID(%q) = %d, want the number before the slug", raw, id)
		}
	})
}

// FuzzValidSlotRef: an accepted slot reference is "search" or "s" and
// digits, so it is safe to store, log and echo into links.
func FuzzValidSlotRef(f *testing.F) {
	for _, s := range []string{"s1", "s12345678901", "search", "s", "x1", "s1a", `s1"><script>`, "S1", "s１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validSlotRef(s) || s == "search" {
			return
		}
		if len(s) < 2 || len(s) > 11 || s[0] != 's' || strings.Trim(s[1:], "0123456789") != "" {
			t.Fatalf("validSlotRef accepted %q", s)
		}
	})
}

// FuzzCategoryPrice: a price filter is refused or lands between 0 and the
// 10-million cap, whatever ParseFloat accepts (NaN, Inf, hex floats, …).
func FuzzCategoryPrice(f *testing.F) {
	for _, s := range []string{"25", "19.99", "", "-1", "NaN", "nan", "Inf", "-Inf", "1e7", "1e8", "0x1p3", "1_000", "abc", "0.005"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cents, ok := parsePrice(raw)
		if !ok {
			return
		}
		if cents < 0 || cents > 1e9 {
			t.Fatalf("parsePrice(%q) = %d cents", raw, cents)
		}
		if v, err := strconv.ParseFloat(raw, 64); err == nil && math.Abs(float64(cents)-v*100) > 0.5 {
			t.Fatalf("parsePrice(%q) = %d cents, want %v rounded", raw, cents, v*100)
		}
	})
}

// FuzzAdminAmount: an accepted admin price is non-negative and survives a
// round trip through the form field (which shows it as
// templates.PlainAmount writes it, and reads it with models.ParsePrice).
func FuzzAdminAmount(f *testing.F) {
	for _, s := range []string{"19.99", "5", "0.1", ".5", "1,299.00", "1 299,00", "1'299.50", "1,299", "1.999", "-1", "abc", "", ".", "1e3", "999999999.99", "9999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cents, err := models.ParsePrice(raw)
		if err != nil {
			if cents != 0 {
				t.Fatalf("ParsePrice(%q) = %d with an error", raw, cents)
			}
			return
		}
		if cents < 0 {
			t.Fatalf("ParsePrice(%q) = %d", raw, cents)
		}
		// The catalog's and the slot form's fields show amounts with the
		// shop's decimal mark; both read back.
		comma := templates.WithShop(context.Background(), templates.ShopView{Money: templates.MoneyFormat{Decimal: ",", Thousands: "."}})
		for _, ctx := range []context.Context{context.Background(), comma} {
			shown := templates.PlainAmount(ctx, cents)
			if again, err := models.ParsePrice(shown); err != nil || again != cents {
				t.Fatalf("ParsePrice(%q) = %d, but %q reads back as %d, %v", raw, cents, shown, again, err)
			}
		}
	})
}

// FuzzDecodeAPIEvents: any body either fails to decode or yields events
// that are each refused with a reason or valid to store.
func FuzzDecodeAPIEvents(f *testing.F) {
	for _, s := range []string{
		`{"events":[{"user_id":"u1","product_id":"SKU-1","type":"view","timestamp":"2026-01-02T03:04:05Z"}]}`,
		`[{"user_id":"u1","product_id":"SKU-1","type":"purchase","value":19.99}]`,
		`{"user_id":"u1","type":"search","query":"tent"}`,
		`{"events":[{"user_id":" ","type":"view"}]}`,
		`{"events":[{"user_id":"u","product_id":"NOPE","type":"click"}]}`,
		`{"events":[{"user_id":"u","product_id":"SKU-1","type":"view","timestamp":"yesterday"}]}`,
		`{"events":null}`, `[]`, `{}`, `null`, `"x"`, `{"events":[1,2]}`, `[{"type":1}]`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	cat := shopsvc.BuildCatalog([]models.Category{{ID: 1, Slug: "c", Name: "C"}},
		[]models.Product{{ID: 7, ExternalID: "SKU-1", Slug: "p", Title: "P", CategoryID: 1, Active: true, Stock: 3}})
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := decodeAPIEvents(body)
		if err != nil {
			return
		}
		for _, in := range events {
			ev, problem := apiEventToModel(cat, in)
			if problem != "" {
				continue
			}
			switch {
			case ev.UserKey == "" || len(ev.UserKey) > 128 || strings.TrimSpace(ev.UserKey) != ev.UserKey:
				t.Fatalf("accepted user %q", ev.UserKey)
			case ev.CreatedAt.IsZero():
				t.Fatalf("accepted event without a time: %+v", in)
			case len(ev.Slot) > 32 || len(ev.Query) > 200:
				t.Fatalf("accepted long slot or query: %+v", in)
			}
			switch ev.Type {
			case models.EventView, models.EventClick, models.EventAddToCart, models.EventPurchase:
				if ev.ProductID == nil || *ev.ProductID != 7 {
					t.Fatalf("accepted %s of unknown product %q", ev.Type, in.ProductID)
				}
			case models.EventSearch:
				if ev.Query == "" {
					t.Fatal("accepted a search without a query")
				}
			default:
				t.Fatalf("accepted type %q", ev.Type)
			}
		}
	})
}

// FuzzAPIEventTimestamps: an event the API accepts is dated inside the
// window every event source shares (1970-01-01 … a day ahead of the clock),
// whatever the timestamp text, and a refusal names the field.
func FuzzAPIEventTimestamps(f *testing.F) {
	for _, s := range []string{"2026-01-02T03:04:05Z", "9999-12-31T23:59:59Z", "1000-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
		"2026-01-02T03:04:05+14:00", "2026-01-02T03:04:05-23:59", "1999-12-31T23:59:59.999999999Z", "2000-01-01T00:00:00+00:01",
		"2026-01-02T03:04:05.123456789Z", "", "yesterday", "2026-02-30T00:00:00Z", "+2026-01-02T03:04:05Z"} {
		f.Add(s, int64(0))
	}
	cat := shopsvc.BuildCatalog([]models.Category{{ID: 1, Slug: "c", Name: "C"}},
		[]models.Product{{ID: 7, ExternalID: "SKU-1", Slug: "p", Title: "P", CategoryID: 1, Active: true, Stock: 3}})
	f.Fuzz(func(t *testing.T, ts string, skew int64) {
		body, _ := json.Marshal(map[string]any{"events": []map[string]any{{"user_id": "u1", "product_id": "SKU-1", "type": "view", "timestamp": ts}}})
		events, err := decodeAPIEvents(body)
		if err != nil || len(events) != 1 {
			t.Fatalf("a well-formed body did not decode: %v", err)
		}
		before := time.Now()
		ev, problem := apiEventToModel(cat, events[0])
		if problem != "" {
			if !strings.HasPrefix(problem, "field timestamp: ") {
				t.Fatalf("refusal %q does not name the field", problem)
			}
			return
		}
		if ev.CreatedAt.Before(models.EarliestEventTime) || ev.CreatedAt.After(time.Now().Add(models.EventClockSkew)) {
			t.Fatalf("timestamp %q accepted as %s", ts, ev.CreatedAt)
		}
		if ts == "" && ev.CreatedAt.Before(before.Add(-time.Second)) {
			t.Fatalf("an event without a timestamp is dated %s, not now", ev.CreatedAt)
		}
		// The same text against another clock: the window moves with it.
		now := before.Add(time.Duration(skew))
		if at, problem := apiEventTime(ts, now); problem == "" && models.CheckEventTime(at, now) != nil {
			t.Fatalf("apiEventTime(%q, %s) accepted %s outside the window", ts, now, at)
		}
	})
}
