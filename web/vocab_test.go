package web

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
)

// TestSlotVocabularyComesFromTheRecommender: the slot form offers exactly
// the recommender's slot types, strategies and audiences; a strategy the
// type does not take is refused next to the field; the API refuses a
// strategy name the recommender does not know.
func TestSlotVocabularyComesFromTheRecommender(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	ids, _ := shop.draft()
	_, doc := c.get("/admin/layout/slots/" + utoa(ids[1]) + "/edit")
	values := func(sel string) []string {
		var out []string
		doc.Find(sel + " option").Each(func(_ int, o *goquery.Selection) { out = append(out, o.AttrOr("value", "")) })
		return out
	}

	t.Run("the form offers the recommender's names", func(t *testing.T) {
		var kinds []string
		offered := []string{""}
		for _, k := range recommender.SlotKinds() {
			kinds = append(kinds, string(k))
			for _, st := range k.Strategies() {
				if !slices.Contains(offered, st.String()) {
					offered = append(offered, st.String())
				}
			}
		}
		if got := values("#f-type"); !slices.Equal(got, kinds) {
			t.Errorf("types %v, want %v", got, kinds)
		}
		got := values("#f-strategy")
		slices.Sort(got)
		slices.Sort(offered)
		if !slices.Equal(got, offered) {
			t.Errorf("strategies %v, want %v", got, offered)
		}
		for _, a := range recommender.Audiences() {
			if !slices.Contains(values("#f-audience"), a[0]) {
				t.Errorf("audience %s not offered", a[0])
			}
		}
		for _, aud := range values("#f-audience") {
			if _, err := recommender.ParseAudience(aud); err != nil {
				t.Errorf("the form offers an audience the recommender refuses: %v", err)
			}
		}
	})

	t.Run("a strategy the slot type does not take is refused", func(t *testing.T) {
		_, rev := shop.draft()
		form := url.Values{"_csrf": {csrf(doc)}, "revision": {strconv.Itoa(rev)}, "type": {models.SlotTrending}, "title": {"Hot"},
			"strategy": {"item_knn"}, "size": {"4"}, "audience": {"everyone"}, "enabled": {"true"}}
		res, err := c.hc.PostForm(shop.ts.URL+"/admin/layout/slots/"+utoa(ids[1]), form)
		must(t, err)
		defer res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", res.StatusCode)
		}
		page, err := goquery.NewDocumentFromReader(res.Body)
		must(t, err)
		if msg := page.Find(`[data-testid="strategy-error"]`).Text(); !strings.Contains(msg, "trending") {
			t.Fatalf("strategy error %q does not say what a trending row takes", msg)
		}
	})

	t.Run("the API checks strategy names", func(t *testing.T) {
		secret, _, err := shop.db.CreateAPIKey(t.Context(), "test", "recs", models.ScopeRecommendations)
		must(t, err)
		get := func(q string) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, shop.ts.URL+"/api/v1/recommendations?user_id=u1&"+q, nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			must(t, err)
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		}
		if code, body := get("strategy=itemknn"); code != http.StatusBadRequest || !strings.Contains(body, "item_knn") {
			t.Fatalf("strategy=itemknn: %d %s, want 400 naming item_knn", code, body)
		}
		if code, body := get("strategy=item_knn"); code != http.StatusOK {
			t.Fatalf("strategy=item_knn: %d %s", code, body)
		}
	})
}
