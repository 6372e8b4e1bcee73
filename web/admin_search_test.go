package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"storefront/models"
	"storefront/search"
	"storefront/shop"
)

// The synonyms in use come from one place at a time: the starter list
// until a merchandiser saves a list of the shop's own, which replaces it
// whole; the page says which, and the starter list can be taken back.
func TestSynonymListHasOneSource(t *testing.T) {
	sh := mustOpenShop(t)
	merch := sh.staffClient(models.RoleMerchandiser)
	ctx := context.Background()
	source := func() string {
		t.Helper()
		_, doc := merch.get("/admin/search")
		return doc.Find(`[data-testid="synonyms-source"]`).Text()
	}
	stored := func() bool {
		t.Helper()
		var n int64
		must(t, sh.db.R.Model(&models.Setting{}).Where("key = ?", shop.SettingSearchSynonyms).Count(&n).Error)
		return n > 0
	}
	save := func(text string) {
		t.Helper()
		if res := merch.post("/admin/search", "/admin/search/synonyms", url.Values{"synonyms": {text}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
	}

	if got := source(); !strings.Contains(got, "the starter list") {
		t.Fatalf("a new shop's page says %q", got)
	}
	if _, doc := merch.get("/admin/search"); doc.Find(`[data-testid="reset-synonyms"]`).Length() != 0 {
		t.Error("a reset is offered while the starter list is in use")
	}

	// Saving the starter list as shown (spacing aside) keeps following it.
	save(strings.ReplaceAll(search.DefaultSynonyms, ", ", ","))
	if text, own, err := sh.srv.shop.SynonymsText(ctx); err != nil || own || text != search.DefaultSynonyms || stored() {
		t.Fatalf("saving the starter list unchanged made it the shop's own (own %v, stored %v, %v)", own, stored(), err)
	}

	save("anorak, tent\n")
	if text, own, _ := sh.srv.shop.SynonymsText(ctx); !own || text != "anorak, tent\n" {
		t.Fatalf("after saving a list: own %v, %q", own, text)
	}
	if got := source(); !strings.Contains(got, "this shop's list") {
		t.Fatalf("after saving, the page says %q", got)
	}
	if _, doc := merch.get("/admin/search"); !strings.Contains(doc.Find(`#synonyms`).Text(), "anorak") || strings.Contains(doc.Find(`#synonyms`).Text(), "torch") {
		t.Fatalf("the form shows %q: the shop's list replaces the starter list", doc.Find(`#synonyms`).Text())
	}
	// No product is called an anorak: the saved group finds the tents.
	_, doc := sh.newClient().get("/search?q=anorak")
	if doc.Find(`[data-product-id]`).Length() == 0 {
		t.Error("the saved group is not used: anorak finds nothing")
	}

	// An empty list is the shop's own too: no synonyms at all.
	save("")
	if text, own, _ := sh.srv.shop.SynonymsText(ctx); !own || text != "" {
		t.Fatalf("after saving an empty list: own %v, %q", own, text)
	}

	if res := merch.post("/admin/search", "/admin/search/synonyms/reset", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", res.StatusCode)
	}
	if text, own, _ := sh.srv.shop.SynonymsText(ctx); own || text != search.DefaultSynonyms || stored() {
		t.Fatalf("after the reset: own %v, stored %v", own, stored())
	}
	var n int64
	must(t, sh.db.R.Model(&models.AuditLog{}).Where("action = ? AND target = ?", "setting.clear", shop.SettingSearchSynonyms).Count(&n).Error)
	if n != 1 {
		t.Errorf("%d audit entries for going back to the starter list, want 1", n)
	}
}
