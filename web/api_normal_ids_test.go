package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestTheAPIMatchesACustomerInAnyUnicodeNormalForm: events sent for "Zoë"
// written with a combining diaeresis (NFD) and recommendations asked for
// "Zoë" written with one code point (NFC), or the other way round, are one
// customer: the skillet she bought, the shop's best seller, is not
// recommended back to her, and the answer names her as asked.
func TestTheAPIMatchesACustomerInAnyUnicodeNormalForm(t *testing.T) {
	const nfc, nfd = "Zo\u00eb", "Zoe\u0308"
	shop := mustOpenShop(t)
	key, _, err := shop.db.CreateAPIKey(context.Background(), "test", "tracker", models.ScopeAll)
	must(t, err)
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	if status, out := shop.postEvents(key, `{"events":[{"user_id":"`+nfd+`","product_id":"SKU-3","type":"purchase","timestamp":"`+at+`"}]}`); status != http.StatusAccepted {
		t.Fatalf("events: %d %v", status, out)
	}
	must(t, shop.srv.events.Flush(t.Context()))
	for _, asked := range []string{nfc, nfd} {
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+"/api/v1/recommendations?n=5&user_id="+url.QueryEscape(asked), nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		var got Recommendations
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		must(t, err)
		if res.StatusCode != http.StatusOK || got.UserID != asked {
			t.Fatalf("asked for %+q: %d, answered for %+q", asked, res.StatusCode, got.UserID)
		}
		var items []string
		for _, it := range got.RecommendedItems {
			items = append(items, it.ItemID)
		}
		if len(items) == 0 || slices.Contains(items, "SKU-3") {
			t.Errorf("asked for %+q: recommended %v; want the rest of the shop without the skillet she bought", asked, items)
		}
	}
}

// TestTheAPIRefusesAUserIDThatIsNotText: the recommendations API refuses a
// user_id holding a NUL or bytes that are not UTF-8, as the events API
// does (no event can carry such an id), and says which parameter is wrong;
// it answered such an id as a stranger with the best sellers.
func TestTheAPIRefusesAUserIDThatIsNotText(t *testing.T) {
	shop := mustOpenShop(t)
	key, _, err := shop.db.CreateAPIKey(context.Background(), "test", "tracker", models.ScopeAll)
	must(t, err)
	for _, id := range []string{"u1\x00", "u\xff1"} {
		req, err := http.NewRequest(http.MethodGet, shop.ts.URL+"/api/v1/recommendations?user_id="+url.QueryEscape(id), nil)
		must(t, err)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		must(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "user_id") {
			t.Errorf("user_id %+q: %d %s; want 400 naming user_id", id, res.StatusCode, body)
		}
	}
}

// TestTheEventsAPIMatchesAProductInAnyUnicodeNormalForm: an event naming
// "Crème-1" with a combining accent (NFD) is the catalog's "Crème-1"
// written with one code point (NFC), and the other way round for
// "Pâte-1": both are accepted and stored on that product (they were
// refused as unknown products).
func TestTheEventsAPIMatchesAProductInAnyUnicodeNormalForm(t *testing.T) {
	const nfcCreme, nfdCreme = "Cr\u00e8me-1", "Cre\u0300me-1"
	const nfcPate, nfdPate = "P\u00e2te-1", "Pa\u0302te-1"
	shop := mustOpenShop(t)
	eveBuysAndViews(t, shop, "Dish ", [2]string{nfcCreme, nfdPate}, [2]string{nfdCreme, nfcPate})
}

// TestTheEventsAPIMatchesAUUIDProductInAnyLetterCase: an event naming a
// product whose id is a UUID, written in upper case where the catalog
// has it in lower case (or the other way round), is accepted and stored
// on that product (it was refused as an unknown product); a SKU that is
// not a UUID in another case is still refused.
func TestTheEventsAPIMatchesAUUIDProductInAnyLetterCase(t *testing.T) {
	const lower, upper = "3f2b8c1e-9d4a-4b6f-a2c1-7e5d9f0b8a61", "A9C4E2D7-1B3F-4C8E-9A6D-2F7B1E0C5D43"
	shop := mustOpenShop(t)
	key, at := eveBuysAndViews(t, shop, "Kettle ", [2]string{lower, upper}, [2]string{strings.ToUpper(lower), strings.ToLower(upper)})
	if status, out := shop.postEvents(key, `{"events":[{"user_id":"eve","product_id":"sku-1","type":"view","timestamp":"`+at+`"}]}`); status == http.StatusAccepted {
		t.Errorf("an event naming sku-1 beside the catalog's SKU-1: %d %v; want it refused", status, out)
	}
}

// eveBuysAndViews adds two products named stored (titled title and the id),
// posts eve's purchase of sent[0] and view of sent[1] (the same ids written
// otherwise) and checks both events are stored on the stored products. It
// returns the API key and the events' timestamp.
func eveBuysAndViews(t *testing.T, shop *testShop, title string, stored, sent [2]string) (key, at string) {
	t.Helper()
	ctx := context.Background()
	cat := shop.product("SKU-1").CategoryID
	for _, ext := range stored {
		must(t, shop.db.W.Create(&models.Product{ExternalID: ext, Slug: models.Slugify(ext), Title: title + ext, CategoryID: cat, PriceCents: 900, Stock: 5, Active: true}).Error)
	}
	must(t, shop.srv.shop.RefreshCatalog(ctx, true))
	key, _, err := shop.db.CreateAPIKey(ctx, "test", "tracker", models.ScopeAll)
	must(t, err)
	at = time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	if status, out := shop.postEvents(key, `{"events":[{"user_id":"eve","product_id":"`+sent[0]+`","type":"purchase","timestamp":"`+at+`"},`+
		`{"user_id":"eve","product_id":"`+sent[1]+`","type":"view","timestamp":"`+at+`"}]}`); status != http.StatusAccepted {
		t.Fatalf("events naming the products as %+q: %d %v", sent, status, out)
	}
	must(t, shop.srv.events.Flush(t.Context()))
	had, err := shop.db.UserItems(ctx, "eve")
	must(t, err)
	slices.Sort(had)
	want := slices.Sorted(slices.Values(stored[:]))
	if !slices.Equal(had, want) {
		t.Errorf("eve's events name %+q, want the catalog's %+q", had, want)
	}
	return key, at
}
