package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRecommendOffersAModelInTheShoppersSize: a clothes shop sells each
// model in sizes S, M and L (group_id), and a shopper keeps to their size.
// Twelve shoppers in size M looked at coat A in M and in L (the next size
// up) and at coat B in M; nobody looked at coat B in L. Lena, who bought a
// hat and a bag in L and looked at coat A in L, is offered coat B — in L,
// her size, not in M, the size the model saw go with coat A in L. With coat
// B sold out in L she is offered it in a size in stock.
func TestRecommendOffersAModelInTheShoppersSize(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	products := func(soldOut string) string {
		var b strings.Builder
		b.WriteString("id,title,description,category,brand,price,stock,created_at,group_id\n")
		for _, m := range []string{"coatA", "coatB", "hatD", "bagE", "scarfF"} {
			for _, sz := range []string{"S", "M", "L"} {
				stock := 10
				if m+"-"+sz == soldOut {
					stock = 0
				}
				fmt.Fprintf(&b, "%s-%s,%s – %s,Wool,Outerwear,Nord,90.00,%d,2026-01-01T00:00:00Z,%s\n", m, sz, m, sz, stock, m)
			}
		}
		for i := range 8 {
			fmt.Fprintf(&b, "mug%d,Mug %d,A mug,Kitchen,Nord,9.00,10,2026-01-01T00:00:00Z,\n", i, i)
		}
		return b.String()
	}
	var events strings.Builder
	events.WriteString("user_id,product_id,type,timestamp\n")
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ev := func(u, item, typ string) {
		fmt.Fprintf(&events, "%s,%s,%s,%s\n", u, item, typ, at.Format(time.RFC3339))
		at = at.Add(7 * time.Minute)
	}
	for u := range 12 {
		s := fmt.Sprintf("m%02d", u)
		ev(s, "coatA-M", "view")
		ev(s, "coatA-L", "view")
		ev(s, "coatB-M", "view")
		ev(s, fmt.Sprintf("mug%d", u%8), "view")
	}
	for u := range 10 {
		s := fmt.Sprintf("h%02d", u)
		sz := []string{"S", "M", "L"}[u%3]
		ev(s, "hatD-"+sz, "view")
		ev(s, "bagE-"+sz, "view")
		ev(s, "scarfF-"+sz, "view")
		ev(s, fmt.Sprintf("mug%d", (u+3)%8), "view")
	}
	ev("lena", "hatD-L", "purchase")
	ev("lena", "bagE-L", "purchase")
	ev("lena", "coatA-L", "view")
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte(products("")), 0o644))
	mustDo(t, os.WriteFile(ef, []byte(events.String()), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
	runOK(t, "train", "--db", db)
	items := func(user string) []string {
		var line struct {
			Items []struct {
				ItemID string `json:"item_id"`
			} `json:"recommended_items"`
		}
		mustDo(t, json.Unmarshal([]byte(runOK(t, "recommend", "--db", db, "--user", user, "--n", "4")), &line))
		var ids []string
		for _, it := range line.Items {
			ids = append(ids, it.ItemID)
		}
		return ids
	}
	if got := items("lena"); !slices.Contains(got, "coatB-L") || slices.Contains(got, "coatB-M") {
		t.Errorf("lena (size L) is offered %q, want coat B in L", got)
	}
	mustDo(t, os.WriteFile(pf, []byte(products("coatB-L")), 0o644))
	runOK(t, "import", "--db", db, "--products", pf)
	if got := items("lena"); slices.Contains(got, "coatB-L") || !slices.Contains(got, "coatB-M") && !slices.Contains(got, "coatB-S") {
		t.Errorf("coat B sold out in L: lena is offered %q, want coat B in a size in stock", got)
	}
}
