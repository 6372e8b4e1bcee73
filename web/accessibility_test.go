package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// describedError returns the text of the error a field points at with
// aria-describedby, and fails the test unless the field is marked invalid
// and the error is there: what a screen reader reads on the field.
func describedError(t *testing.T, doc *goquery.Document, field string) string {
	t.Helper()
	f := doc.Find(field)
	if f.Length() == 0 {
		t.Fatalf("no field %s", field)
	}
	if v, _ := f.Attr("aria-invalid"); v != "true" {
		t.Errorf("%s: aria-invalid %q, want true", field, v)
	}
	id, _ := f.Attr("aria-describedby")
	msg := strings.TrimSpace(doc.Find("#" + id).Text())
	if id == "" || msg == "" {
		t.Errorf("%s: aria-describedby %q points at no message", field, id)
	}
	return msg
}

// A wrong price in a listing's filter marks both price fields invalid and
// ties them to the message: a screen reader on Min or Max reads why.
func TestAPriceFilterErrorIsTiedToThePriceFields(t *testing.T) {
	shop := mustOpenShop(t)
	visitor := shop.newClient()
	_, doc := visitor.get("/c/kitchen?min=50&max=10")
	for _, field := range []string{`input[name="min"]`, `input[name="max"]`} {
		if msg := describedError(t, doc, field); !strings.Contains(msg, "minimum is above the maximum") {
			t.Errorf("%s is described by %q", field, msg)
		}
	}
	_, doc = visitor.get("/c/kitchen?min=10&max=50")
	if doc.Find(`input[aria-invalid]`).Length() != 0 || doc.Find(`#price-error`).Length() != 0 {
		t.Error("a valid price range is marked invalid")
	}
}

// A refused account deletion answers with the account page, the problem
// at its field (marked invalid, described by the message) and in a summary
// that takes the focus; before, the reason was a note at the top of a page
// scrolled down to the form, out of sight and not tied to any field.
func TestARefusedAccountDeletionSaysWhyAtTheField(t *testing.T) {
	shop := mustOpenShop(t)
	ada := shop.shopperClient()

	res, doc := ada.postPage("/account", "/account/delete", url.Values{"current": {testPassword}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete without the box: %d, want 422", res.StatusCode)
	}
	if msg := describedError(t, doc, "#delete-confirm"); !strings.Contains(msg, "Tick the box") {
		t.Errorf("the box is described by %q", msg)
	}
	summary := doc.Find(`[data-testid="error-summary"]`)
	if _, ok := summary.Attr("autofocus"); !ok || summary.Find(`a[href="#delete-confirm"]`).Length() != 1 {
		t.Errorf("no focused summary linking to the box: %q", summary.Text())
	}

	res, doc = ada.postPage("/account", "/account/delete", url.Values{"confirm": {"yes"}, "current": {"not her password"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete with a wrong password: %d, want 422", res.StatusCode)
	}
	if msg := describedError(t, doc, "#delete-current"); !strings.Contains(msg, "Your account was not deleted.") {
		t.Errorf("the password field is described by %q", msg)
	}
	if doc.Find(`#delete-confirm[aria-invalid]`).Length() != 0 {
		t.Error("the ticked box is marked invalid")
	}
	if _, err := shop.db.ShopperByID(context.Background(), 1); err != nil {
		t.Fatalf("the account is gone: %v", err)
	}
}

// The header's cart link reads "Cart 1 item" to a screen reader, not
// "Cart 1"; a message left by adding to the cart comes with an empty live
// region that static/app.js fills once the page is up, so it is read out.
func TestTheCartLinkAndTheFlashSpeakToAScreenReader(t *testing.T) {
	shop := mustOpenShop(t)
	visitor := shop.newClient()
	_, doc := visitor.get("/")
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="cart-link"]`).Text()), " "); got != "Cart 0 items" {
		t.Errorf("empty cart link reads %q", got)
	}
	p := shop.product("SKU-3")
	res := visitor.post(productPath(p), "/cart/add", url.Values{"product_id": {utoa(p.ID)}, "quantity": {"1"}})
	_, doc = visitor.follow(res)
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="cart-link"]`).Text()), " "); got != "Cart 1 item" {
		t.Errorf("cart link reads %q", got)
	}
	flash := strings.TrimSpace(doc.Find(`[data-testid="flash"]`).Text())
	if !strings.Contains(flash, p.Title) {
		t.Fatalf("flash %q", flash)
	}
	region := doc.Find(`[data-testid="announce"]`)
	if role, _ := region.Attr("role"); role != "status" || strings.TrimSpace(region.Text()) != "" {
		t.Errorf("announce region: role %q, text %q; want an empty status region", role, region.Text())
	}
	if msg, _ := region.Attr("data-announce"); msg != flash {
		t.Errorf("announce region carries %q, want the flash %q", msg, flash)
	}
}

// Every column of the admin's catalog and versions tables has a heading a
// screen reader can read out with its cells, the column of buttons too.
func TestAdminTableColumnsAllHaveHeadings(t *testing.T) {
	shop := mustOpenShop(t)
	merch := shop.staffClient("merchandiser")
	for _, path := range []string{"/admin/catalog", "/admin/versions"} {
		_, doc := merch.get(path)
		heads := doc.Find("main table thead th")
		if heads.Length() == 0 {
			t.Fatalf("%s: no table", path)
		}
		heads.Each(func(i int, th *goquery.Selection) {
			if strings.TrimSpace(th.Text()) == "" {
				t.Errorf("%s: column %d has an empty heading", path, i+1)
			}
		})
	}
}
