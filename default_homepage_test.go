package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// writeHardwareShop writes a shop nobody tuned for, the size of a small
// real one: 3,200 products in eight departments of four categories each
// (two-level paths), best sellers across departments, and a year of 1,500
// customers who mostly browse one department.
func writeHardwareShop(t *testing.T, dir string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	depts := []string{"Werkzeug", "Computer", "Elektro", "Haushalt", "Garten", "Audio", "Smart Home", "Netzwerk"}
	const perDept, nProducts = 400, 3200
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range nProducts {
		d := depts[i%len(depts)]
		fmt.Fprintf(&products, "A%04d,%s Artikel %d Typ %d,Beschreibung %d,%s > Gruppe %d,Marke%d,%d.%02d,%d,2025-%02d-%02dT00:00:00Z\n",
			i, d, i, i%97, i, d, (i/len(depts))%4, i%9, 2+rng.IntN(900), rng.IntN(100), 5+rng.IntN(200), 1+i%12, 1+i%28)
	}
	// A customer browses their department evenly; the shop's best sellers,
	// chosen across departments, weigh 1/(k+1)^0.8 for the k-th.
	weights := make([]float64, nProducts)
	total := 0.0
	for k := range weights {
		weights[k] = 1 / math.Pow(float64(k+1), 0.8)
		total += weights[k]
	}
	popular := func() int {
		x := rng.Float64() * total
		for k, w := range weights {
			if x -= w; x <= 0 {
				return (k * 7919) % nProducts
			}
		}
		return 0
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	for u := range 1500 {
		home := u % len(depts)
		for range 4 + rng.IntN(30) {
			p := home + len(depts)*rng.IntN(perDept)
			if rng.IntN(10) < 3 {
				p = popular()
			}
			at := start.Add(time.Duration(rng.IntN(365*24*60)) * time.Minute).Format(time.RFC3339)
			fmt.Fprintf(&events, "K%04d,A%04d,view,%s\n", u, p, at)
			if rng.IntN(4) == 0 {
				fmt.Fprintf(&events, "K%04d,A%04d,add_to_cart,%s\n", u, p, at)
				if rng.IntN(2) == 0 {
					fmt.Fprintf(&events, "K%04d,A%04d,purchase,%s\n", u, p, at)
				}
			}
		}
	}
	mustDo(t, os.WriteFile(filepath.Join(dir, "products.csv"), []byte(products.String()), 0o644))
	mustDo(t, os.WriteFile(filepath.Join(dir, "events.csv"), []byte(events.String()), 0o644))
}

// TestTheDefaultHomepageOfAnImportKeepsItsBestSellers: the homepage import
// publishes is the merchant's starting point, so the publish check of a
// shop just imported and trained finds no row that every shopper sees (the
// hero, best sellers, trending, new arrivals, the departments' rows) losing
// its products to the rows above it. The default homepage used to end with
// "Best sellers", whose best sellers the hero, trending and the
// departments' rows had all taken, so the first check a merchant saw told
// them to move it. (Rows built from a shopper's history may still share
// products for shoppers who keep to one category: that is reported, and
// left to the merchant.)
func TestTheDefaultHomepageOfAnImportKeepsItsBestSellers(t *testing.T) {
	dir := t.TempDir()
	writeHardwareShop(t, dir)
	const email, password = "inhaber@example.com", "ein langes und privates Passwort"
	for _, args := range [][]string{
		{"import", "--db", "shop.db", "--products", "products.csv", "--events", "events.csv"},
		{"train", "--db", "shop.db"},
		{"staff", "add", "--db", "shop.db", "--email", email, "--role", "admin", "--password-stdin"},
	} {
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(password+"\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out)
		}
	}
	base := startServeIn(t, dir, []string{"serve", "--db", "shop.db", "--addr", "127.0.0.1:0", "--train-every", "0"})
	admin := newWebClient(t, base)
	if res := admin.post("/admin/login", "/admin/login", url.Values{"email": {email}, "password": {password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin login: %d", res.StatusCode)
	}
	res, doc := admin.get("/admin/layout/publish")
	if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="health"]`).Length() == 0 {
		t.Fatalf("publish check: %d, health check shown: %v", res.StatusCode, doc.Find(`[data-testid="health"]`).Length() > 0)
	}
	personal := []string{"Recommended for you", "Because you viewed", "Top picks in", "Recently viewed"}
	var all, bad []string
	doc.Find(`[data-testid="health-issue"]`).Each(func(_ int, s *goquery.Selection) {
		issue := strings.Join(strings.Fields(s.Text()), " ")
		all = append(all, issue)
		row := s.Find("strong").First().Text()
		if !slices.ContainsFunc(personal, func(p string) bool { return strings.HasPrefix(row, p) }) {
			bad = append(bad, issue)
		}
	})
	if len(bad) > 0 {
		t.Fatalf("the publish check of the default homepage finds problems with the rows every shopper sees:\n%s\nall: %q", strings.Join(bad, "\n"), all)
	}
	if len(all) == len(bad) && len(all) == 0 && doc.Find(`[data-testid="health"]`).Text() == "" {
		t.Fatal("the health check is empty")
	}
}
