package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestTheSlotFormBoundsWhatItReads: the slot form's lists are comma-separated
// text a merchandiser types, read from a body of up to 2 MB. Before, the
// brands were matched to the catalog's by trying every run of parts against
// every later part (cubic: 1,000 parts took 18 s of the server, a 2 MB list
// of "a," would hold a core for longer than the shop runs), duplicates of
// SKUs were dropped by a quadratic scan (40,000 SKUs 7 s), every unknown SKU
// was named in the answer, and the subtitle had no bound on the server.
// Now a list over its bound is refused with its count, an answer names ten
// unknown entries and counts the rest, and nothing of it is stored.
func TestTheSlotFormBoundsWhatItReads(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	slot := utoa(ids[1])
	save := func(hc *http.Client, fields url.Values) (*http.Response, *goquery.Document) {
		t.Helper()
		return shop.postSlotForm(t, c, hc, slot, "Bounded", fields)
	}
	skus := func(n int) string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("NO-SUCH-%d", i)
		}
		return strings.Join(out, ",")
	}
	// A whole form body of commas: answered at once, not after hours. The
	// client gives up long before the cubic reading would have ended.
	patient := *c.hc
	patient.Timeout = time.Minute
	for _, tc := range []struct {
		name, field string
		fields      url.Values
		want        string
	}{
		{"a body of brands", "brands", url.Values{"brands": {strings.Repeat("a,", 400_000)}}, "No product has the brand a."},
		{"too many brands", "brands", url.Values{"brands": {skus(models.MaxSlotBrands + 1)}},
			fmt.Sprintf("List at most %d brands; this list has %d.", models.MaxSlotBrands, models.MaxSlotBrands+1)},
		{"too many pins", "pins", url.Values{"pins": {skus(models.MaxSlotProducts + 1)}},
			fmt.Sprintf("List at most %d SKUs; this list has %d.", models.MaxSlotProducts, models.MaxSlotProducts+1)},
		{"a body of excludes", "excludes", url.Values{"excludes": {skus(100_000)}},
			fmt.Sprintf("List at most %d SKUs; this list has 100000.", models.MaxSlotProducts)},
		{"unknown boosts named ten at most", "boosts", url.Values{"boosts": {skus(30)}},
			"No product has the SKU NO-SUCH-0, NO-SUCH-1, NO-SUCH-2, NO-SUCH-3, NO-SUCH-4, NO-SUCH-5, NO-SUCH-6, NO-SUCH-7, NO-SUCH-8, NO-SUCH-9 and 20 more."},
		{"a long subtitle", "subtitle", url.Values{"subtitle": {strings.Repeat("é", models.MaxSlotSubtitle+1)}},
			fmt.Sprintf("Use at most %d characters.", models.MaxSlotSubtitle)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, doc := save(&patient, tc.fields)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if got := doc.Find(`[data-testid="` + tc.field + `-error"]`).Text(); got != tc.want {
				t.Errorf("the %s error reads %q (%d bytes), want %q", tc.field, cut(got, 300), len(got), tc.want)
			}
			sl, err := shop.db.SlotByID(context.Background(), ids[1])
			must(t, err)
			if sl.Title == "Bounded" {
				t.Errorf("the refused form was saved")
			}
		})
	}
	t.Run("a subtitle of the bound is saved", func(t *testing.T) {
		res, doc := save(c.hc, url.Values{"subtitle": {strings.Repeat("é", models.MaxSlotSubtitle)}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d, want 303; errors %q", res.StatusCode, doc.Find(".field-error").Text())
		}
	})
}

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
