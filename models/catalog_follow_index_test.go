package models

import (
	"strings"
	"testing"
	"time"
)

// The two statements the shop runs after every order and every poll —
// which products changed since its snapshot, and the catalog's version —
// find what they need through the indexes on products.updated_at instead
// of reading every product.
func TestCatalogFollowReadsNoWholeProductTable(t *testing.T) {
	db := mustOpen(t)
	var since any = time.Now().UTC().Add(-time.Minute)
	if !db.Postgres() {
		since = time.Now().UTC().Add(-time.Minute).Format("2006-01-02 15:04:05.000")
	}
	for _, st := range []struct {
		name string
		sql  string
		args []any
		want string
	}{
		{"products updated since", db.sqlProductsUpdatedSince(), []any{since, 257}, "idx_products_updated_"},
		{"catalog version", sqlCatalogVersion, nil, "idx_products_updated_"},
	} {
		plan := explain(t, db, st.sql, st.args...)
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, st.want) {
			t.Errorf("%s: plan does not use %s*:\n%s", st.name, st.want, text)
		}
		for _, line := range plan {
			if strings.TrimSpace(line) == "SCAN products" || strings.Contains(line, "Seq Scan on products") {
				t.Errorf("%s: plan reads every product:\n%s", st.name, text)
			}
		}
	}
}
