package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	shopsvc "storefront/shop"
)

// TestAnImportedShopsHomepageShowsItsDepartments: an established shop
// moving from another platform imports its catalog (every product two years
// old) without events, gets the default homepage and trains. Its homepage
// was the hero and one row, "From our range"; now a new visitor sees a row
// for each department the hero does not lead, headed by its name, each
// card of that department, with a link to the department.
func TestAnImportedShopsHomepageShowsItsDepartments(t *testing.T) {
	db, done, err := models.OpenScratch(t.TempDir(), "shop.db")
	must(t, err)
	t.Cleanup(done)
	ctx := context.Background()
	old := time.Now().UTC().AddDate(-2, 0, 0)
	depts := map[string][]string{
		"Living":  {"Cushions", "Throws", "Vases"},
		"Bedding": {"Duvets", "Sheets"},
		"Kitchen": {"Mugs", "Knives"},
		"Bath":    {"Towels", "Mats"},
	}
	deptOf := map[uint]string{}
	var products []models.Product
	for dept, kinds := range depts {
		top := models.Category{Slug: strings.ToLower(dept), Name: dept}
		must(t, db.W.Create(&top).Error)
		for _, kind := range kinds {
			c := models.Category{Slug: strings.ToLower(kind), Name: kind, ParentID: &top.ID}
			must(t, db.W.Create(&c).Error)
			deptOf[c.ID] = dept
			n := 6
			if dept == "Living" {
				n = 8 // the largest department: the hero's
			}
			for k := range n {
				products = append(products, models.Product{ExternalID: fmt.Sprintf("%s-%d", kind, k), Slug: fmt.Sprintf("%s-%d", strings.ToLower(kind), k),
					Title: fmt.Sprintf("Oatmeal %s %d", kind, k), Brand: "Hearth", CategoryID: c.ID, PriceCents: int64(1500 + 100*k),
					Stock: 10, Active: true, CreatedAt: old.AddDate(0, 0, -k)})
			}
		}
	}
	must(t, db.W.Create(&products).Error)
	published, err := db.EnsureDefaultHomepage(ctx)
	must(t, err)
	if !published {
		t.Fatal("no default homepage")
	}
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err = shopsvc.TrainAndStore(ctx, db, cfg, nil)
	must(t, err)
	must(t, db.SetSetting(ctx, "", models.SettingControlPercent, "0"))
	srv, err := New(ctx, Config{Addr: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, db)
	must(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close(context.Background())
	})
	shop := &testShop{t: t, db: db, srv: srv, ts: ts}
	res, doc := shop.newClient().get("/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("homepage %d", res.StatusCode)
	}
	var heads []string
	rows := map[string]int{}
	doc.Find("section[data-slot-type]").Each(func(_ int, sec *goquery.Selection) {
		h := strings.TrimSpace(sec.Find("h2").First().Text())
		if h == "" {
			h = strings.TrimSpace(sec.Find("h1").First().Text())
		}
		heads = append(heads, h)
		if _, ok := depts[h]; !ok {
			return
		}
		if link, _ := sec.Find(`a[href^="/c/"]`).First().Attr("href"); link != "/c/"+strings.ToLower(h) {
			t.Errorf("the row of %s links to %q", h, link)
		}
		sec.Find("[data-product-id]").Each(func(_ int, card *goquery.Selection) {
			id, _ := card.Attr("data-product-id")
			pid, _ := parseProductID(id)
			p, err := db.ProductByID(ctx, pid)
			must(t, err)
			if deptOf[p.CategoryID] != h {
				t.Errorf("the row of %s shows %q", h, p.Title)
			}
			rows[h]++
		})
	})
	for _, d := range []string{"Bedding", "Kitchen", "Bath"} {
		if rows[d] < 4 {
			t.Errorf("the row of %s shows %d products; rows %v", d, rows[d], heads)
		}
	}
	if len(heads) < 5 {
		t.Errorf("the homepage shows the rows %v", heads)
	}
}
