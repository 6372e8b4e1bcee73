package web

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// The slot column comes from the events API: a tracker can put a formula
// there. No cell of the analytics export may start like one.
func TestAnalyticsCSVGuardsEveryTextColumn(t *testing.T) {
	shop := mustOpenShop(t)
	key, _, err := shop.db.CreateAPIKey(context.Background(), "test", "tracker", models.ScopeEvents)
	must(t, err)
	for _, slot := range []string{`=HYPERLINK("//e.x","Hi")`, "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\r=1"} {
		body := `{"events":[{"user_id":"u1","product_id":"SKU-1","type":"click","slot":` + jsonString(slot) + `}]}`
		if status, out := shop.postEvents(key, body); status != 202 {
			t.Fatalf("click with slot %q: %d %v", slot, status, out)
		}
	}
	c := shop.staffClient(models.RoleMerchandiser)
	today := time.Now().UTC().Format(time.DateOnly)
	res, err := c.hc.Get(shop.ts.URL + "/admin/analytics.csv?from=" + today + "&to=" + today)
	must(t, err)
	defer res.Body.Close()
	recs, err := csv.NewReader(res.Body).ReadAll()
	must(t, err)
	if len(recs) < 7 {
		t.Fatalf("%d rows, want the header and 6 slots: the test cannot see the column", len(recs))
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts a formula: %q", recs[0][i], cell)
			}
		}
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`, "\r", `\r`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
