package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

func TestAdminRetrainShowsModelAndFigures(t *testing.T) {
	shop := mustOpenShop(t)
	c := shop.staffClient(models.RoleMerchandiser)
	_, doc := c.get("/admin/model")
	if doc.Find(`[data-testid="trained-at"]`).Length() != 0 {
		t.Fatal("model page shows a trained model before any training")
	}
	// Behaviour to learn from, then the retrain button.
	ctx := context.Background()
	var ps []models.Product
	must(t, shop.db.R.Where("active = ? AND stock > 0", true).Order("id").Find(&ps).Error)
	var events []models.Event
	at := time.Now().Add(-72 * time.Hour)
	for j := range 30 { // 1,200 events: the page separates thousands
		for u := range 40 {
			id := ps[(u+j)%len(ps)].ID
			events = append(events, models.Event{UserKey: "u" + utoa(uint(u)), ProductID: &id, Type: models.EventView, CreatedAt: at})
			at = at.Add(time.Minute)
		}
	}
	must(t, shop.db.InsertEvents(ctx, events))
	res := c.post("/admin/model", "/admin/model/retrain", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retrain: %d", res.StatusCode)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, doc = c.get("/admin/model")
		if doc.Find(`[data-testid="eval-table"]`).Length() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no model figures after retraining: %s", doc.Find("main").Text())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if doc.Find(`[data-testid="trained-at"]`).Length() == 0 {
		t.Fatal("model page does not say when the model was trained")
	}
	if shop.srv.shop.Model() == nil {
		t.Fatal("retrained model is not served")
	}
	if got := doc.Find(`[data-testid="model-data"]`).Text(); !strings.HasPrefix(got, "1,200 events → ") {
		t.Errorf("the model's data reads %q, want 1,200 events", got)
	}
	if cl := doc.Find(`[data-testid="cleaning"]`).Text(); !strings.Contains(cl, "bot/outlier users") || !strings.Contains(cl, "no user dropped") {
		t.Fatalf("model page does not report what cleaning dropped and why: %q", cl)
	}
	// A merchandiser cannot change retention; an admin can.
	if res := c.post("/admin/model", "/admin/settings/retention", url.Values{"retention_days": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("merchandiser set retention: %d, want 403", res.StatusCode)
	}
}

func TestAdminRetentionDeletesOldEvents(t *testing.T) {
	shop := mustOpenShop(t)
	ctx := context.Background()
	p := shop.product("SKU-1")
	old := models.Event{UserKey: "u1", ProductID: &p.ID, Type: models.EventView, CreatedAt: time.Now().AddDate(0, 0, -40)}
	recent := models.Event{UserKey: "u1", ProductID: &p.ID, Type: models.EventView, CreatedAt: time.Now().AddDate(0, 0, -2)}
	must(t, shop.db.InsertEvents(ctx, []models.Event{old, recent}))
	c := shop.staffClient(models.RoleAdmin)
	if res := c.post("/admin/model", "/admin/settings/retention", url.Values{"retention_days": {"-3"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative retention: %d, want 422", res.StatusCode)
	}
	if res := c.post("/admin/model", "/admin/settings/retention", url.Values{"retention_days": {"30"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("set retention: %d", res.StatusCode)
	}
	n, err := shop.db.CountEvents(ctx)
	must(t, err)
	if n != 1 {
		t.Fatalf("%d events left after a 30-day retention, want 1", n)
	}
}
