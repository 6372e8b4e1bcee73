package web

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	shopsvc "storefront/shop"
)

// TestTwoCategoriesOfOneNameStayApart: a shop files "Shoes" under both
// "Women" and "Men" (a deep catalog repeats such names: "Small", "Premium",
// "Accessories"). The model knows them as two categories, and a
// merchandiser's row of women's shoes shows women's shoes only, though
// men's shoes sell more.
func TestTwoCategoriesOfOneNameStayApart(t *testing.T) {
	db, done, err := models.OpenScratch(t.TempDir(), "shop.db")
	must(t, err)
	t.Cleanup(done)
	dir := t.TempDir()
	products := "id,title,description,category,brand,price,stock,created_at\n"
	for i := range 8 {
		products += fmt.Sprintf("W-SHOE-%d,Suede Pump %d,,Women > Shoes,Alder,%d,20,2025-01-01T00:00:00Z\n", i, i, 60+i)
		products += fmt.Sprintf("W-BAG-%d,Canvas Tote %d,,Women > Bags,Alder,%d,20,2025-01-01T00:00:00Z\n", i, i, 30+i)
		products += fmt.Sprintf("M-SHOE-%d,Leather Oxford %d,,Men > Shoes,Birch,%d,20,2025-01-01T00:00:00Z\n", i, i, 80+i)
		products += fmt.Sprintf("M-BELT-%d,Leather Belt %d,,Men > Belts,Birch,%d,20,2025-01-01T00:00:00Z\n", i, i, 25+i)
	}
	events := "user_id,product_id,type,timestamp\n"
	at := time.Now().UTC().AddDate(0, 0, -20)
	for u := range 60 {
		// Men's shoes sell to twice as many shoppers as women's.
		kind, a, b := "m", "M-SHOE", "M-BELT"
		if u%3 == 0 {
			kind, a, b = "w", "W-SHOE", "W-BAG"
		}
		for k, ext := range []string{fmt.Sprintf("%s-%d", a, u%8), fmt.Sprintf("%s-%d", b, (u+1)%8), fmt.Sprintf("%s-%d", a, (u+3)%8)} {
			typ := "view"
			if k == 1 || u%2 == 0 {
				typ = "purchase"
			}
			events += fmt.Sprintf("%s%d,%s,%s,%s\n", kind, u, ext, typ, at.Add(time.Duration(u*20+k)*time.Minute).Format(time.RFC3339))
		}
	}
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	must(t, os.WriteFile(pf, []byte(products), 0o600))
	must(t, os.WriteFile(ef, []byte(events), 0o600))
	ctx := context.Background()
	if _, err := seed.ImportWith(ctx, db, seed.ImportOptions{Products: pf, Events: ef}, io.Discard); err != nil {
		t.Fatal(err)
	}
	cfg := recommender.DefaultConfig()
	cfg.ALS.Factors, cfg.ALS.Iterations, cfg.SVD.Rank = 4, 5, 2
	_, err = shopsvc.TrainAndStore(ctx, db, cfg, nil)
	must(t, err)
	shop := startShop(t, db)

	m := shop.srv.shop.Model()
	women, ok1 := m.Item("W-SHOE-1")
	men, ok2 := m.Item("M-SHOE-1")
	if !ok1 || !ok2 {
		t.Fatal("the model does not know the shoes")
	}
	if women.Category == men.Category {
		t.Errorf("the model knows women's and men's shoes as one category %q", women.Category)
	}

	var womenShoes *shopsvc.CatNode
	for _, r := range shop.srv.shop.Catalog().Roots {
		for _, ch := range r.Children {
			if r.Name == "Women" && ch.Name == "Shoes" {
				womenShoes = ch
			}
		}
	}
	if womenShoes == nil {
		t.Fatal("no Women > Shoes category")
	}
	page, err := db.PageByKey(ctx, models.HomePage)
	must(t, err)
	row := models.Slot{PageID: page.ID, Position: 1, Type: models.SlotCategory, Title: "Shoes for her", Category: womenShoes.Slug, Size: 6,
		Enabled: true, Locked: true, Audience: "everyone"}
	must(t, db.W.Create(&row).Error)
	_, err = db.PublishDraft(ctx, models.HomePage, "test")
	must(t, err)
	shop.srv.shop.LayoutChanged()

	for _, who := range []string{"a new visitor", "a shopper of men's shoes"} {
		visitor := shop.newClient()
		if who != "a new visitor" {
			visitor.get(productPath(shop.product("M-SHOE-2")))
			visitor.get(productPath(shop.product("M-SHOE-5")))
			must(t, shop.srv.events.Flush(ctx))
		}
		_, doc := visitor.get("/")
		cards := doc.Find(`section[data-slot-id="` + utoa(row.ID) + `"] [data-product-id]`)
		if cards.Length() == 0 {
			t.Fatalf("%s: the row of women's shoes is empty", who)
		}
		cards.Each(func(_ int, card *goquery.Selection) {
			id := card.AttrOr("data-product-id", "")
			for i := range 8 {
				if ext := fmt.Sprintf("M-SHOE-%d", i); id == utoa(shop.product(ext).ID) {
					t.Errorf("%s: the row of women's shoes shows %s, a men's shoe", who, ext)
				}
			}
		})
	}
}
