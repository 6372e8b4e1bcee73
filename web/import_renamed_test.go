package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
)

// TestImportResultListsEveryRenamedCustomer: an events file's customers
// whose user_id an account registered here already has are kept under ids
// of their own, which the events API and recommend take. The result of the
// import lists every one of them with its id here, not only the three its
// summary line names.
func TestImportResultListsEveryRenamedCustomer(t *testing.T) {
	shop := mustOpenShop(t)
	admin := shop.staffClient(models.RoleAdmin)
	events := "user_id,product_id,type,timestamp\n"
	want := map[string]string{}
	for i := range 4 {
		sh, err := shop.db.CreateShopper(context.Background(), "Registered", fmt.Sprintf("reg%d@example.com", i), testPassword)
		must(t, err)
		events += sh.ExternalID + ",SKU-1,view,2026-05-01T10:00:00Z\n"
		want[sh.ExternalID] = sh.ExternalID + "~imported"
	}
	res, doc := admin.upload("/admin/import", "/admin/import", nil, map[string][2]string{"events": {"old-shop.csv", events}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	action, ok := doc.Find(`[data-testid="import-job"] form`).Attr("action")
	if !ok {
		t.Fatal("no apply form")
	}
	res = admin.post("/admin/import", action, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", res.StatusCode)
	}
	doc = admin.importDone(res.Header.Get("Location"))
	got := map[string]string{}
	doc.Find(`[data-testid="import-renamed"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		td := tr.Find("td")
		got[strings.TrimSpace(td.Eq(0).Text())] = strings.TrimSpace(td.Eq(1).Text())
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the result lists %v, want every renamed customer %v", got, want)
	}
	for file, key := range want {
		if _, err := shop.db.ShopperByExternalID(context.Background(), key); err != nil {
			t.Fatalf("%s was not imported as %s: %v", file, key, err)
		}
	}
}
