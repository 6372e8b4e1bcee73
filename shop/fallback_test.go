package shop

import (
	"testing"
	"time"

	"storefront/models"
	"storefront/recommender"
)

// TestAFallbackRowClaimsOnlyWhatIsTrue: before a model is trained the
// homepage fills its rows from the catalog. A shop started from an import
// without events read "Popular right now" under products nobody had bought
// and "New arrival" under products made two years before. Now a product
// without sales is no popular one, and only a product made within
// NewArrivalAge is a new arrival.
func TestAFallbackRowClaimsOnlyWhatIsTrue(t *testing.T) {
	cats := []models.Category{{ID: 1, Name: "Tea", Slug: "tea"}}
	now := time.Now()
	ps := []models.Product{
		{ID: 1, ExternalID: "sold", Title: "Sencha", CategoryID: 1, PriceCents: 900, Popularity: 5, Active: true, Stock: 3, CreatedAt: now.AddDate(-2, 0, 0)},
		{ID: 2, ExternalID: "old", Title: "Oolong", CategoryID: 1, PriceCents: 900, Active: true, Stock: 3, CreatedAt: now.AddDate(-2, 0, 0)},
		{ID: 3, ExternalID: "new", Title: "Matcha", CategoryID: 1, PriceCents: 900, Active: true, Stock: 3, CreatedAt: now.AddDate(0, 0, -10)},
	}
	fill := FallbackRow(BuildCatalog(cats, ps))
	reasons := func(spec recommender.SlotSpec) map[string]string {
		out := map[string]string{}
		for _, r := range fill(&spec, nil, 3) {
			out[r.ItemID] = r.Reason
		}
		return out
	}
	popular := reasons(recommender.SlotSpec{Kind: recommender.KindTrending})
	want := map[string]string{"sold": "Popular right now", "old": "From our range", "new": "New arrival"}
	for id, w := range want {
		if popular[id] != w {
			t.Errorf("a popular row: %s says %q, want %q (all: %v)", id, popular[id], w, popular)
		}
	}
	fresh := reasons(recommender.SlotSpec{Kind: recommender.KindNewArrivals})
	want = map[string]string{"sold": "From our range", "old": "From our range", "new": "New arrival"}
	for id, w := range want {
		if fresh[id] != w {
			t.Errorf("new arrivals: %s says %q, want %q (all: %v)", id, fresh[id], w, fresh)
		}
	}
	inTea := reasons(recommender.SlotSpec{Kind: recommender.KindTrending, Category: "Tea"})
	if inTea["sold"] != "Popular in Tea" || inTea["old"] != "More in Tea" {
		t.Errorf("a category row: %v", inTea)
	}
}
