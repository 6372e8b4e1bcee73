package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"storefront/models"
)

func writeFile(tb testing.TB, name, content string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

const goodProducts = "\ufeffid,title,description,category,brand,price,stock,created_at,image_url\n" +
	"P1,Trail Tent,\"Sleeps two, \"\"really\"\"\nand packs small\",Outdoor > Tents,Northpeak,199.99,12,2026-01-02T10:00:00Z,https://img.example.com/p1.jpg\n" +
	"P2,Camp Stove,,Outdoor>Camp Stoves,Trailwise,45,0,2026-01-03T10:00:00+01:00,\n" +
	"P3,Chef's Knife,Sharp,Kitchen,Kōbō,0.5,3,,/img/p3.png\n"

// Columns in another order, without the optional ones.
const goodEvents = "timestamp,type,product_id,user_id\n" +
	"2026-02-01T09:00:00Z,view,P1,alice\n" +
	"2026-02-01T09:01:00Z,click,P1,alice\n" +
	"2026-02-01T09:02:00Z,add_to_cart,P1,alice\n" +
	"2026-02-01T09:03:00Z,purchase,P1,alice\n" +
	"2026-02-02T12:00:00.5Z,view,P3,bob\n"

func mustImport(tb testing.TB, db *models.DB, products, events string) *ImportSummary {
	tb.Helper()
	var pp, ep string
	if products != "" {
		pp = writeFile(tb, "products.csv", products)
	}
	if events != "" {
		ep = writeFile(tb, "events.csv", events)
	}
	sum, err := Import(context.Background(), db, pp, ep, nil)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return sum
}

// dbState captures everything an import may change.
func dbState(tb testing.TB, db *models.DB) string {
	tb.Helper()
	ctx := context.Background()
	counts, err := db.Counts(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	ps, err := db.AllProducts(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ExternalID < ps[j].ExternalID })
	h := fnv.New64a()
	for _, p := range ps {
		fmt.Fprintf(h, "%s|%s|%s|%d|%d|%d|%s|%v|%.6f|%d\n", p.ExternalID, p.Title, p.Description, p.PriceCents, p.Stock,
			p.CategoryID, p.ImageURL, p.Active, p.Popularity, p.CreatedAt.Unix())
	}
	return fmt.Sprintf("%+v products-hash=%x", counts, h.Sum64())
}

func TestImportCreatesThenUpdates(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	sum := mustImport(t, db, goodProducts, goodEvents)
	if sum.ProductsCreated != 3 || sum.ProductsUpdated != 0 || sum.Events != 5 || sum.ShoppersCreated != 2 || sum.CategoriesCreated != 4 {
		t.Errorf("first import = %+v, want 3 created, 5 events, 2 shoppers, 4 categories", sum)
	}
	p1, err := db.ProductByExternalID(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if p1.PriceCents != 19999 || p1.Description != "Sleeps two, \"really\"\nand packs small" || p1.ImageURL != "https://img.example.com/p1.jpg" {
		t.Errorf("P1 = %+v", p1)
	}
	if p1.Popularity <= 0 {
		t.Errorf("P1 popularity = %v, want > 0 after its events", p1.Popularity)
	}
	cats, err := db.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[uint]models.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	tents := byID[p1.CategoryID]
	if tents.Name != "Tents" || tents.ParentID == nil || byID[*tents.ParentID].Name != "Outdoor" {
		t.Errorf("P1 category = %+v, want Tents under Outdoor", tents)
	}
	p2, _ := db.ProductByExternalID(ctx, "P2")
	if c := byID[p2.CategoryID]; c.ParentID == nil || *c.ParentID != *tents.ParentID {
		t.Errorf("\"Outdoor>Camp Stoves\" landed in %+v, want under the same Outdoor", c)
	}
	if _, err := db.ShopperByExternalID(ctx, "alice"); err != nil {
		t.Errorf("imported user has no account: %v", err)
	}

	// Same ids update; created_at empty keeps the stored one; a new event file adds.
	created := p1.CreatedAt
	update := "id,title,description,category,brand,price,stock,created_at\n" +
		"P1,Trail Tent 2,New,Outdoor > Tents,Northpeak,149.50,7,\n"
	sum = mustImport(t, db, update, "user_id,product_id,type,timestamp\ncarol,P2,view,2026-02-03T08:00:00Z\n")
	if sum.ProductsCreated != 0 || sum.ProductsUpdated != 1 || sum.CategoriesCreated != 0 || sum.Events != 1 {
		t.Errorf("second import = %+v, want 1 updated, no new categories, 1 event", sum)
	}
	p1, _ = db.ProductByExternalID(ctx, "P1")
	if p1.Title != "Trail Tent 2" || p1.PriceCents != 14950 || p1.Stock != 7 || !p1.CreatedAt.Equal(created) {
		t.Errorf("updated P1 = %+v (created %v, want %v)", p1, p1.CreatedAt, created)
	}
	if p1.ImageURL != "https://img.example.com/p1.jpg" {
		t.Errorf("a file without image_url cleared the image: %q", p1.ImageURL)
	}
	if n, _ := db.CountEvents(ctx); n != 6 {
		t.Errorf("events = %d, want 6", n)
	}
}

func TestImportBadRowsWriteNothing(t *testing.T) {
	db := openDB(t)
	mustImport(t, db, goodProducts, goodEvents)
	before := dbState(t, db)

	cases := []struct {
		name      string
		products  string
		events    string
		wantLines []string // each must appear in the error
		ordered   bool     // and in this order
		wantTotal int
		wantNotes int // summaries listed beside the problems, not counted
	}{
		{
			name:      "bad timestamp among good rows",
			products:  "id,title,description,category,brand,price,stock,created_at\nP1,Renamed,,Outdoor > Tents,X,1.00,1,\n",
			events:    "user_id,product_id,type,timestamp\nalice,P1,view,2026-02-01T09:00:00Z\nalice,P1,view,yesterday\n",
			wantLines: []string{`events.csv:3: field timestamp: cannot parse "yesterday" as RFC 3339`},
			wantTotal: 1,
		},
		{
			// The forms exports hold instead say what to write.
			// (A product's created_at without an offset is read as UTC:
			// TestImportReadsACreatedAtWithoutAnOffsetAsUTC.)
			name:     "timestamps without an offset, a date, Unix time",
			products: "id,title,description,category,brand,price,stock,created_at\nP1,Renamed,,Outdoor > Tents,X,1.00,1,2026-01-01 08:00:00\n",
			events:   "user_id,product_id,type,timestamp\nalice,P1,view,2026-02-01T09:00:00\nalice,P1,view,2026-02-01\nalice,P1,view,1769936400\n",
			wantLines: []string{`events.csv:2: field timestamp: cannot parse "2026-02-01T09:00:00" as RFC 3339 (like 2026-03-01T12:00:00Z): it has no UTC offset`,
				`events.csv:3: field timestamp: cannot parse "2026-02-01" as RFC 3339 (like 2026-03-01T12:00:00Z): a date needs a time and a UTC offset`,
				`events.csv:4: field timestamp: cannot parse "1769936400" as RFC 3339 (like 2026-03-01T12:00:00Z): Unix time is not taken`},
			wantTotal: 3,
		},
		{
			// An offset without its colon (Python's %z) and a day that
			// does not exist say what is wrong with a timestamp that looks right.
			name:     "an offset without a colon, a day out of range",
			products: "id,title,description,category,brand,price,stock,created_at\nP1,Renamed,,Outdoor > Tents,X,1.00,1,\n",
			events: "user_id,product_id,type,timestamp\nalice,P1,view,2026-02-01T09:00:00+0530\nalice,P1,view,2025-02-29T10:00:00Z\n" +
				"alice,P1,view,2026-02-01T24:00:00Z\n",
			wantLines: []string{`events.csv:2: field timestamp: cannot parse "2026-02-01T09:00:00+0530" as RFC 3339 (like 2026-03-01T12:00:00Z): its UTC offset needs a colon (+05:30, not +0530)`,
				`events.csv:3: field timestamp: cannot parse "2025-02-29T10:00:00Z" as RFC 3339 (like 2026-03-01T12:00:00Z): day out of range`,
				`events.csv:4: field timestamp: cannot parse "2026-02-01T24:00:00Z" as RFC 3339 (like 2026-03-01T12:00:00Z): hour out of range`},
			wantTotal: 3,
		},
		{
			name:      "unknown product id",
			events:    "user_id,product_id,type,timestamp\nalice,P1,view,2026-02-01T09:00:00Z\nbob,NOPE,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{`events.csv:3: field product_id: unknown product id "NOPE"`},
			wantTotal: 1,
		},
		{
			// An events export still holds the history of products the
			// shop deleted, which its catalog export leaves out: beside
			// each row, one line says how many and what to do.
			name: "events of products deleted from the shop",
			events: "user_id,product_id,type,timestamp\nalice,P1,view,2026-02-01T09:00:00Z\nbob,GONE1,view,2026-02-01T09:00:00Z\n" +
				"bob,GONE1,purchase,2026-02-01T09:01:00Z\ncarol,GONE2,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{
				`events.csv:3: field product_id: unknown product id "GONE1" (not in the database or the products file)`,
				`events.csv:3: field product_id: 3 rows name 2 product ids in neither the products file nor the shop, as an export does that still holds the history of products deleted from the shop: to keep that history for recommendations, add them to the products file with active false (hidden from shoppers, where stock 0 would list them as sold out); or leave their rows out`,
				`events.csv:4: field product_id: unknown product id "GONE1"`,
			},
			ordered:   true,
			wantTotal: 3,
			wantNotes: 1,
		},
		{
			// A spreadsheet that opened one of the files read 00042 as
			// the number 42; another system wrote the SKU in lower case.
			// The error names the product the shop has.
			name:     "a product id without its leading zeros, or in another case",
			products: "id,title,description,category,brand,price,stock,created_at\n00042,Mug,,Kitchen,B,9.00,1,\n",
			events:   "user_id,product_id,type,timestamp\nalice,42,view,2026-02-01T09:00:00Z\nbob,p1,view,2026-02-01T09:00:00Z\ncarol,43,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{
				`events.csv:2: field product_id: unknown product id "42" (not in the database or the products file; the shop has "00042": the same but for leading zeros, which a spreadsheet drops, or letter case)`,
				`events.csv:3: field product_id: unknown product id "p1" (not in the database or the products file; the shop has "P1": the same but for leading zeros, which a spreadsheet drops, or letter case)`,
				`events.csv:4: field product_id: unknown product id "43" (not in the database or the products file)`,
			},
			wantTotal: 3,
		},
		{
			name: "several bad fields and rows",
			products: "id,title,description,category,brand,price,stock,created_at\n" +
				"P9,,d,Outdoor,B,1.999,-2,2026-13-01T00:00:00Z\n" +
				"P10,Ok,d,Outdoor > ,B,abc,1,\n" +
				"P10,Dup,d,Outdoor,B,1,1,\n" +
				"P11,Short row\n",
			events: "user_id,product_id,type,timestamp,value\nalice,P9,like,2026-02-01T09:00:00Z,NaN\n",
			wantLines: []string{
				"products.csv:2: field title: is empty",
				`products.csv:2: field price: "1.999" has three decimals or a point grouping thousands: write 1.999,00 if the point groups thousands, or round it to 2 decimals if it is a decimal point`,
				"products.csv:2: field stock: -2 is out of range",
				"products.csv:2: field created_at: cannot parse",
				"products.csv:3: field category:",
				`products.csv:3: field price: cannot parse "abc"`,
				`products.csv:4: field id: duplicate id "P10" (first on line 3)`,
				"products.csv:5: has 2 fields, the header has 8",
				`events.csv:2: field type: "like" is not one of view, click, add_to_cart, purchase`,
				`events.csv:2: field value: "NaN" is not a number`,
			},
			wantTotal: 10,
		},
		{
			// A NUL failed PostgreSQL's whole import with the database's
			// error instead of the line; SQLite stored it in the title.
			name:     "a NUL or bytes that are not UTF-8 in text",
			products: "id,title,description,category,brand,price,stock,created_at\nP1,Tent\x00X,,Outdoor,B,1.00,1,\nP2,Ok,d\xff,Outdoor,B\x00,1.00,1,\n",
			events:   "user_id,product_id,type,timestamp\nal\x00ice,P1,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{
				"products.csv:2: field title: holds a NUL character",
				"products.csv:3: field description: is not valid UTF-8 text",
				"products.csv:3: field brand: holds a NUL character",
				"events.csv:2: field user_id: holds a NUL character",
			},
			wantTotal: 4,
		},
		{
			// A product dated in the future led "New arrivals" on every
			// homepage, and the "Newest" order, until that date: 2099 is
			// some systems' "no date" (9999-12-31 is out of the years
			// taken), 2062 a mistyped 2026.
			name: "a product created after the shop's clock",
			products: "id,title,description,category,brand,price,stock,created_at\n" +
				"P1,Tent,,Outdoor,B,1.00,1,2099-12-31\n" +
				"P2,Mug,,Kitchen,B,1.00,1,2062-03-01T10:00:00Z\n" +
				"P3,Plate,,Kitchen,B,1.00,1,2026-01-01\n",
			wantLines: []string{
				`products.csv:2: field created_at: 2099-12-31T00:00:00Z is more than a day ahead of the shop's clock (`,
				`products.csv:3: field created_at: 2062-03-01T10:00:00Z is more than a day ahead of the shop's clock (`,
			},
			wantTotal: 2,
		},
		{
			// A variant row may leave its category to its group, but a
			// group none of whose rows names one is refused on each row.
			name: "a group without a category",
			products: "id,title,description,category,brand,price,stock,created_at,group_id\n" +
				"V1,Mug - Red,,,B,9,1,,mug\n" +
				"V2,Mug - Blue,,,B,9,1,,mug\n" +
				"V3,Plate,,,B,9,1,,\n",
			wantLines: []string{
				`products.csv:2: field category: is empty, and no other row of group "mug" names one`,
				`products.csv:3: field category: is empty, and no other row of group "mug" names one`,
				"products.csv:4: field category: is empty",
			},
			wantTotal: 3,
		},
		{
			// recommend's users file names one user per line: a customer
			// whose id holds a line break could never be asked for there.
			name:      "a user id over two lines",
			events:    "user_id,product_id,type,timestamp\n\"alice\nsmith\",P1,view,2026-02-01T09:00:00Z\nbob,P1,view,2026-02-01T09:00:00Z\n\"car\rol\",P1,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{`events.csv:2: field user_id: holds a line break`, `events.csv:5: field user_id: holds a line break`},
			wantTotal: 2,
		},
		{
			name: "event times outside the accepted window, negative value",
			events: "user_id,product_id,type,timestamp,value\n" +
				"alice,P1,view,9999-12-31T23:59:59Z,\n" +
				"alice,P1,view,1969-12-31T23:59:59Z,\n" +
				"alice,P1,view,2026-02-01T09:00:00Z,\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,-5\n",
			wantLines: []string{
				"events.csv:2: field timestamp: 9999-12-31T23:59:59Z is more than a day ahead of the shop's clock",
				"events.csv:3: field timestamp: 1969-12-31T23:59:59Z is before 1970-01-01",
				`events.csv:5: field value: "-5" is negative`,
			},
			wantTotal: 3,
		},
		{
			name: "bad and out-of-range values",
			events: "user_id,product_id,type,timestamp,value\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,4\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,1e999\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,1764770000000\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,-Inf\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,\"4,5\"\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,four stars\n" +
				"alice,P1,purchase,2026-02-01T09:00:00Z,3.5\n",
			wantLines: []string{
				`events.csv:3: field value: "1e999" is out of range: a rating, quantity or amount is at most 1e+12`,
				`events.csv:4: field value: "1764770000000" is out of range`,
				`events.csv:5: field value: "-Inf" is out of range`,
				`events.csv:6: field value: cannot parse "4,5" as a number: write decimals with a point ("4.5")`,
				`events.csv:7: field value: cannot parse "four stars" as a number`,
			},
			wantTotal: 5,
		},
		{
			name:      "missing column",
			products:  "id,title,description,category,brand,stock,created_at\nP1,T,,C,B,1,\n",
			wantLines: []string{"products.csv:1: field price: missing required column"},
			wantTotal: 1,
		},
		{
			// One problem, the header's: the events of the products the
			// refused file holds are not each reported as unknown too.
			name:     "a refused products header with the events of its products",
			products: "id;title;description;category;marke;price;stock;created_at\nNEW1;Bohrer;;Werkzeug;B;19,99;1;\n",
			events: "user_id,product_id,type,timestamp\nalice,NEW1,view,2026-02-01T09:00:00Z\n" +
				"bob,NEW1,purchase,2026-02-01T09:00:00Z\nbob,NEW1,view,yesterday\n",
			wantLines: []string{`products.csv:1: field brand: missing required column`,
				`events.csv:4: field timestamp: cannot parse "yesterday"`},
			wantTotal: 2,
		},
		{
			name:     "a column under the old platform's name, with the events of its products",
			products: "id,title,description,category,hersteller,price,stock,created_at\nNEW1,Bohrer,,Werkzeug,B,19.99,1,\n",
			events:   "user_id,product_id,type,timestamp\nalice,NEW1,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{`products.csv:1: field brand: missing required column (header must include id,title,description,category,brand,price,stock,created_at; ` +
				`the import does not read the file's column "hersteller")`},
			wantTotal: 1,
		},
		{
			name:      "tabs, a bad row named by its line",
			events:    "user_id\tproduct_id\ttype\ttimestamp\nalice\tP1\tview\t2026-02-01T09:00:00Z\nbob\tP1\tlook\t2026-02-01T09:00:00Z\n",
			wantLines: []string{`events.csv:3: field type: `},
			wantTotal: 1,
		},
		{
			name:      "malformed quotes",
			events:    "user_id,product_id,type,timestamp\nal\"ice,P1,view,2026-02-01T09:00:00Z\n",
			wantLines: []string{"events.csv:2: malformed CSV"},
			wantTotal: 1,
		},
		{
			name:      "empty file",
			events:    "",
			wantLines: []string{"events.csv:1: file is empty"},
			wantTotal: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var pp, ep string
			if tc.products != "" {
				pp = writeFile(t, "products.csv", tc.products)
			}
			if tc.events != "" || tc.products == "" {
				ep = writeFile(t, "events.csv", tc.events)
			}
			_, err := Import(context.Background(), db, pp, ep, nil)
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want *ImportError", err)
			}
			if !errors.Is(err, models.ErrInvalid) {
				t.Error("ImportError does not unwrap to models.ErrInvalid")
			}
			msg := err.Error()
			rest := msg
			for _, want := range tc.wantLines {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Errorf("error does not mention %q (or not in this order):\n%s", want, msg)
					continue
				}
				if tc.ordered {
					rest = rest[i+len(want):]
				}
			}
			if ie.Total != tc.wantTotal || len(ie.Problems) != tc.wantTotal+tc.wantNotes {
				t.Errorf("got %d problems (%d listed), want %d:\n%s", ie.Total, len(ie.Problems), tc.wantTotal, msg)
			}
			if after := dbState(t, db); after != before {
				t.Errorf("database changed by a refused import:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestImportCapsProblemList(t *testing.T) {
	db := openDB(t)
	var b strings.Builder
	b.WriteString("user_id,product_id,type,timestamp\n")
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "u%d,GHOST%d,view,2026-02-01T09:00:00Z\n", i, i)
	}
	_, err := Import(context.Background(), db, "", writeFile(t, "events.csv", b.String()), nil)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v, want *ImportError", err)
	}
	// The first 100 rows, and beside the first one the summary of all 250.
	if ie.Total != 250 || len(ie.Problems) != maxProblems+1 || !ie.Problems[1].Summary {
		t.Errorf("total %d, listed %d (second a summary: %v); want 250 and %d+1", ie.Total, len(ie.Problems), ie.Problems[1].Summary, maxProblems)
	}
	if !strings.Contains(err.Error(), "250 rows name 250 product ids") || !strings.Contains(err.Error(), "and 150 more") || ie.Problems[100].Line != 101 {
		t.Errorf("error tail / last listed line wrong: line %d\n%s", ie.Problems[100].Line, err.Error()[len(err.Error())-80:])
	}
}

func TestImportIntoSeededShop(t *testing.T) {
	db := openDB(t)
	mustSeed(t, db, tinyWorld)
	ctx := context.Background()
	before, _ := db.CountEvents(ctx)
	// Refers to a seeded product and to one in the same import.
	sum := mustImport(t, db,
		"id,title,description,category,brand,price,stock,created_at\nNEW-1,Forest Tent,Roomy,Outdoor > Tents,Northpeak,210,4,2026-03-01T00:00:00Z\n",
		"user_id,product_id,type,timestamp\nu00001,SKU-10001,view,2026-03-14T10:00:00Z\nu00001,NEW-1,purchase,2026-03-14T10:05:00Z\n")
	// The seeded u00001 is an account one can log in as: the file's
	// u00001 is a customer of its own (TestImportedIDsNeverAttachToRegisteredAccounts).
	if sum.CategoriesCreated != 0 || sum.ShoppersCreated != 1 || sum.Events != 2 {
		t.Errorf("summary = %+v, want the existing category reused and the file's u00001 a customer of its own", sum)
	}
	if after, _ := db.CountEvents(ctx); after != before+2 {
		t.Errorf("events %d → %d, want +2", before, after)
	}
}

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"19.99", 1999, true},
		{"5", 500, true},
		{"0.5", 50, true},
		{"0.05", 5, true},
		{" 7.10 ", 710, true},
		{"007.00", 700, true},
		{"0", 0, true},
		{"1234567.89", 123456789, true},
		{"1.999", 0, false},
		// Magento's export writes six decimals, BigCommerce's four.
		{"89.000000", 8900, true},
		{"29.9500", 2995, true},
		{"1.299,5000", 129950, true},
		{"29.9550", 0, false}, // a fraction of a cent
		{"1.000", 0, false},   // a thousand in a German file, or 1.00?
		{"-1", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		// A decimal comma, as a German or French export writes prices;
		// points then group thousands.
		{"1,99", 199, true},
		{"17,9", 1790, true},
		{"1.299,00", 129900, true},
		{"12.345.678,50", 1234567850, true},
		{"1,299", 0, false},    // a thousand, or 1.299?
		{"12.34,56", 0, false}, // not thousands
		{"1.2345,00", 0, false},
		{",50", 0, false},
		{"1,2,3", 0, false},
		{"1,299.00", 129900, true}, // commas grouping thousands before a decimal point
		{"12,345,678.50", 1234567850, true},
		{"1,29.00", 0, false},
		{"1,299.00,5", 0, false},
		{"1e3", 0, false},
		{"NaN", 0, false},
		{"+5", 0, false},
		{"$5", 0, false},
		{"99999999999", 0, false},
		// Spaces or apostrophes grouping thousands, as French, Polish,
		// Czech and Scandinavian spreadsheets (a space, a no-break space
		// or a narrow one) and Swiss ones save prices.
		{"1 299,00", 129900, true},
		{"1\u00a0299,00", 129900, true},
		{"12\u202f345\u202f678,50", 1234567850, true},
		{"1 299.50", 129950, true},
		{"1'299.50", 129950, true},
		{"1’299.50", 129950, true},
		{"1 299", 129900, true},
		{"1 299,5000", 129950, true},
		{"12 34,00", 0, false},     // not thousands
		{"1 299'000.00", 0, false}, // two kinds of separator
		{"1 299.000,00", 0, false}, // points among the groups
		{"1 2 3", 0, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := models.ParsePrice(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Errorf("models.ParsePrice(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
			}
		})
	}
}

// TestAnAmbiguousPriceSaysSo: "1,299" (a thousand with a comma grouping
// thousands, or 1.299 with a decimal comma) is refused saying it is
// ambiguous and how to write it in either notation, not "cannot parse
// "1,299" as a price like 19.99" (the fourteenth outside check's
// decimal-comma file, whose own prices were written 12,50).
func TestAnAmbiguousPriceSaysSo(t *testing.T) {
	for in, want := range map[string]string{
		"1,299":      `"1,299" is ambiguous: write 1,299.00 if the comma groups thousands, or 1.299,00 if it is a decimal comma`,
		"12,345,678": `"12,345,678" has commas grouping thousands but no decimal point: write 12,345,678.00`,
		// A decimal-comma spreadsheet saves 1299 with a thousands point and
		// no decimals ("#.##0"); the sixteenth outside check's semicolon
		// file, whose other prices were written 1.299,00, was told "has
		// more than 2 decimals" and "cannot parse".
		"1.299":     `"1.299" has three decimals or a point grouping thousands: write 1.299,00 if the point groups thousands, or round it to 2 decimals if it is a decimal point`,
		"1.299.000": `"1.299.000" has points grouping thousands but no decimal comma: write 1.299.000,00`,
	} {
		_, err := models.ParsePrice(in)
		if err == nil || err.Error() != want {
			t.Errorf("models.ParsePrice(%q): %v, want %s", in, err, want)
		}
	}
	for _, in := range []string{"0.125", "1.2345", "1234.567"} {
		if _, err := models.ParsePrice(in); err == nil || err.Error() != fmt.Sprintf("%q", in)+" has more than 2 decimals" {
			t.Errorf("models.ParsePrice(%q): %v, want refused as more than 2 decimals", in, err)
		}
	}
	for _, in := range []string{"1,2,3", "1,2345", "12.34,56", "1,29.00"} {
		if _, err := models.ParsePrice(in); err == nil || strings.Contains(err.Error(), "ambiguous") {
			t.Errorf("models.ParsePrice(%q): %v, want refused, not as ambiguous", in, err)
		}
	}
}

// FuzzParsePrice: a price either fails or equals its exact decimal value,
// read with a decimal point or, in a price written with a decimal comma,
// with the comma (points then group the thousands: "1.299,00").
func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"19.99", "5", "0.5", "1.999", "-1", "abc", "", "00.10", "9999999999.99", "1e2", " 3.3 ", "٣.٥", "17,90", "1.299,00", "1,299", "0,0", "1,299.00", "1 299,00", "1'299.50", "1\u202f299"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := models.ParsePrice(s)
		if err != nil {
			if cents != 0 {
				t.Errorf("models.ParsePrice(%q) returned %d with an error", s, cents)
			}
			return
		}
		if cents < 0 {
			t.Fatalf("models.ParsePrice(%q) = %d, negative", s, cents)
		}
		dec := strings.TrimSpace(s)
		dec = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’' {
				return -1 // "1 299,00", "1'299.50": thousands grouped
			}
			return r
		}, dec)
		if i := strings.LastIndex(dec, ","); i >= 0 && strings.LastIndex(dec, ".") > i {
			dec = strings.ReplaceAll(dec, ",", "") // "1,299.00"
		} else if strings.Contains(dec, ",") {
			dec = strings.ReplaceAll(strings.ReplaceAll(dec, ".", ""), ",", ".")
		}
		r, ok := new(big.Rat).SetString(dec)
		if !ok {
			t.Fatalf("parsePrice accepted %q, which is not a decimal number", s)
		}
		if want := new(big.Rat).Mul(r, big.NewRat(100, 1)); want.Cmp(big.NewRat(cents, 1)) != 0 {
			t.Fatalf("models.ParsePrice(%q) = %d cents, want %s", s, cents, want.FloatString(2))
		}
		again, err := models.ParsePrice(fmt.Sprintf("%d.%02d", cents/100, cents%100))
		if err != nil || again != cents {
			t.Fatalf("round trip of %d gave %d, %v", cents, again, err)
		}
	})
}

// FuzzImportProducts: any products file is either refused with nothing
// written or imported with counts that add up.
func FuzzImportProducts(f *testing.F) {
	f.Add(goodProducts)
	f.Add("id,title,description,category,brand,price,stock,created_at\nA,B,,C > D,,1.5,2,\n")
	f.Add("id,title,description,category,brand,price,stock,created_at\nA,B,,C,,1.5,2,\nA,B,,C,,1.5,2,\n")
	f.Add("price,id,stock,title,category,created_at,brand,description\n3,\"x\ny\",4,T,/,,b,d\n")
	f.Add("id,title\n\"unterminated\n")
	f.Add("")
	db := openDB(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "products.csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		before := dbState(t, db)
		beforeCounts, _ := db.Counts(context.Background())
		sum, err := Import(context.Background(), db, path, "", nil)
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || ie.Total == 0 || len(ie.Problems) == 0 {
				t.Fatalf("error %v is not an ImportError with problems", err)
			}
			for _, p := range ie.Problems {
				if p.File != "products.csv" || p.Line < 1 || p.Reason == "" {
					t.Fatalf("malformed problem %+v", p)
				}
			}
			if after := dbState(t, db); after != before {
				t.Fatalf("refused import changed the database")
			}
			return
		}
		after, _ := db.Counts(context.Background())
		if after.Products != beforeCounts.Products+int64(sum.ProductsCreated) ||
			after.Categories != beforeCounts.Categories+int64(sum.CategoriesCreated) {
			t.Fatalf("summary %+v does not match counts %+v → %+v", sum, beforeCounts, after)
		}
	})
}

func TestImportPublishesDefaultHomepage(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	sum := mustImport(t, db, goodProducts, goodEvents)
	if !sum.DefaultHomepage {
		t.Fatal("import into an empty shop did not publish a default homepage")
	}
	slots, v, err := db.PublishedLayout(ctx, models.HomePage)
	if err != nil {
		t.Fatal(err)
	}
	if v == nil || v.Number != 1 || v.Author != models.SystemActor || len(slots) < 8 {
		t.Fatalf("published %d slots as %+v, want version 1 by system with the default rows", len(slots), v)
	}
	if slots[0].Link != "/c/outdoor" {
		t.Errorf("hero links to %q, want the largest imported department /c/outdoor", slots[0].Link)
	}
	if again := mustImport(t, db, goodProducts, ""); again.DefaultHomepage {
		t.Error("a second import published the default homepage again")
	}
}

func TestImportDeactivateMissingAndPreview(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	// The new file drops P2 and P3, updates P1 and adds P4; one row is bad.
	full := "id,title,description,category,brand,price,stock,created_at\n" +
		"P1,Trail Tent,,Outdoor > Tents,Northpeak,189.00,10,\n" +
		"P4,Camp Chair,,Outdoor,Trailwise,39.50,4,\n" +
		"P5,Broken,,Outdoor,Trailwise,cheap,4,\n"
	path := writeFile(t, "full.csv", full)
	plan, err := PlanImport(ctx, db, ImportOptions{Products: path, DeactivateMissing: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pv := plan.Preview
	if pv.TotalProblems != 1 || pv.Problems[0].Line != 4 || pv.Problems[0].Field != "price" || pv.Problems[0].File != "full.csv" {
		t.Fatalf("problems = %+v, want one on full.csv line 4, field price", pv.Problems)
	}
	if len(pv.Products) != 2 || pv.NewProducts != 1 || pv.UpdatedProducts != 1 || pv.Deactivated != 2 {
		t.Fatalf("preview = %+v, want 2 rows (1 new, 1 updated) and 2 to deactivate", pv)
	}
	before := dbState(t, db)
	if _, err := plan.Apply(ctx, db); err == nil {
		t.Fatal("a plan with problems was applied")
	}
	if after := dbState(t, db); after != before {
		t.Fatalf("a refused apply changed the database:\n%s\n%s", before, after)
	}

	path = writeFile(t, "full.csv", strings.TrimSuffix(full, "P5,Broken,,Outdoor,Trailwise,cheap,4,\n"))
	sum, err := ImportWith(ctx, db, ImportOptions{Products: path, DeactivateMissing: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ProductsDeactivated != 2 || sum.ProductsCreated != 1 || sum.ProductsUpdated != 1 {
		t.Fatalf("summary %+v", sum)
	}
	active, err := db.ActiveProductKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 || !active["P1"] || !active["P4"] {
		t.Fatalf("active products %v, want P1 and P4", active)
	}
	// Listing a product again in a full catalog brings it back.
	path = writeFile(t, "again.csv", goodProducts)
	if _, err := ImportWith(ctx, db, ImportOptions{Products: path, DeactivateMissing: true}, nil); err != nil {
		t.Fatal(err)
	}
	if active, _ = db.ActiveProductKeys(ctx); len(active) != 3 || active["P4"] {
		t.Fatalf("active products %v, want P1..P3", active)
	}
}

// A products file with a header and no rows (an export that failed) as
// the full catalog is refused, not taken as a shop that sells nothing: it
// deactivated every product, with exit status 0.
func TestImportRefusesAnEmptyFullCatalog(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	before := dbState(t, db)
	path := writeFile(t, "catalog.csv", "id,title,description,category,brand,price,stock,created_at\n")
	_, err := ImportWith(ctx, db, ImportOptions{Products: path, DeactivateMissing: true}, nil)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].File != "catalog.csv" || ie.Problems[0].Line != 1 ||
		!strings.Contains(ie.Problems[0].Reason, "deactivate all 3 products") {
		t.Fatalf("err = %v, want catalog.csv:1 refused as deactivating all 3 products", err)
	}
	if after := dbState(t, db); after != before {
		t.Fatalf("a refused import changed the database:\n%s\n%s", before, after)
	}
	// Without --deactivate-missing, a header alone is an import of nothing.
	if _, err := ImportWith(ctx, db, ImportOptions{Products: path}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestImportCompareAtPrice(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,compare_at_price\n"+
		"S1,Sale Tent,,Outdoor > Tents,Northpeak,149.00,5,,199.00\n"+
		"S2,Full Price Tent,,Outdoor > Tents,Northpeak,99.00,5,,\n", "")
	s1, _ := db.ProductByExternalID(ctx, "S1")
	s2, _ := db.ProductByExternalID(ctx, "S2")
	if s1.CompareAtCents != 19900 || !s1.OnSale() || s1.DiscountPercent() != 25 {
		t.Fatalf("S1 compare-at %d, on sale %v, discount %d%%; want 19900, true, 25%%", s1.CompareAtCents, s1.OnSale(), s1.DiscountPercent())
	}
	if s2.CompareAtCents != 0 || s2.OnSale() {
		t.Fatalf("S2 with an empty compare_at_price is on sale: %d", s2.CompareAtCents)
	}
	// A file without the column keeps the sale; one with it can end it.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\nS1,Sale Tent,,Outdoor > Tents,Northpeak,139.00,5,\n", "")
	if s1, _ = db.ProductByExternalID(ctx, "S1"); s1.CompareAtCents != 19900 || s1.PriceCents != 13900 {
		t.Fatalf("a file without compare_at_price changed it: %d (price %d)", s1.CompareAtCents, s1.PriceCents)
	}
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,compare_at_price\nS1,Sale Tent,,Outdoor > Tents,Northpeak,199.00,5,,\n", "")
	if s1, _ = db.ProductByExternalID(ctx, "S1"); s1.OnSale() {
		t.Fatal("an empty compare_at_price did not end the sale")
	}
	// A compare-at price at or below the price is an error on its line.
	p := writeFile(t, "bad.csv", "id,title,description,category,brand,price,stock,created_at,compare_at_price\n"+
		"B1,Odd Sale,,Outdoor > Tents,Northpeak,50.00,5,,40.00\n")
	_, err := Import(ctx, db, p, "", nil)
	if err == nil || !strings.Contains(err.Error(), "bad.csv:2") || !strings.Contains(err.Error(), "compare_at_price") || !strings.Contains(err.Error(), "above the price") {
		t.Fatalf("compare-at below price: %v", err)
	}
}

// TestImportTakesOldHistoryWhole: a shop's history from the 1990s (public
// rating datasets start there: MovieLens 100k is 1997–98) imports whole
// and keeps its times; only times before 1970 are refused.
func TestImportTakesOldHistoryWhole(t *testing.T) {
	db := openDB(t)
	events := "user_id,product_id,type,timestamp\n" +
		"u196,P1,purchase,1997-12-04T15:55:49Z\n" +
		"u186,P3,purchase,1998-04-04T19:22:22Z\n" +
		"u22,P1,view,1970-01-01T00:00:00Z\n"
	stored, sum := importEvents(t, db, events, 3)
	if sum.ShoppersCreated != 3 {
		t.Fatalf("import = %+v, want 3 events of 3 shoppers", sum)
	}
	var oldest time.Time
	for _, e := range stored {
		if oldest.IsZero() || e.at.Before(oldest) {
			oldest = e.at
		}
	}
	if want := time.Unix(0, 0); !oldest.Equal(want) {
		t.Errorf("oldest stored event at %v, want %v", oldest, want)
	}
}

// RFC 3339 allows a lower-case t and z and a space for the T: a shop's
// export written that way imports, each event at its instant.
func TestImportTakesEveryTimestampFormOfRFC3339(t *testing.T) {
	db := openDB(t)
	events := "user_id,product_id,type,timestamp\n" +
		"u1,P1,view,2026-02-01t09:00:00z\n" +
		"u2,P1,view,2026-02-01 10:30:00+01:30\n" +
		"u3,P3,view,2026-02-01T09:00:00.25Z\n"
	stored, _ := importEvents(t, db, events, 3)
	want := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	for _, e := range stored {
		if d := e.at.Sub(want); d < 0 || d > time.Second {
			t.Errorf("event stored at %v, want %v", e.at.UTC(), want)
		}
	}
}

// An export that writes its event types in capitals ("Purchase",
// "ADD_TO_CART") is read like one in lower case, as the header's names are.
func TestImportReadsEventTypesInAnyCase(t *testing.T) {
	db := openDB(t)
	events := "user_id,product_id,type,timestamp\n" +
		"u1,P1,View,2026-02-01T09:00:00Z\n" +
		"u1,P1,ADD_TO_CART,2026-02-01T09:01:00Z\n" +
		"u1,P1,Purchase,2026-02-01T09:02:00Z\n" +
		"u2,P3,cLiCk,2026-02-01T09:03:00Z\n"
	stored, _ := importEvents(t, db, events, 4)
	var types []string
	for _, e := range stored {
		types = append(types, e.typ)
	}
	sort.Strings(types)
	if want := []string{"add_to_cart", "click", "purchase", "view"}; !reflect.DeepEqual(types, want) {
		t.Errorf("stored types %v, want %v", types, want)
	}
}

// An events file's customer "s1" is not the shopper who registered here as
// s1: whichever comes first, neither ever sees the other's history, and a
// re-import of the file adds to the imported customer's own history.
func TestImportedIDsNeverAttachToRegisteredAccounts(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	ada, err := db.CreateShopper(ctx, "Ada", "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	eventsOf := func(key string) int64 {
		var n int64
		must(t, db.R.Model(&models.Event{}).Where("user_key = ?", key).Count(&n).Error)
		return n
	}
	file := "user_id,product_id,type,timestamp\n" + ada.ExternalID + ",P1,purchase,2026-02-01T09:00:00Z\nzoe,P2,view,2026-02-01T09:00:00Z\n"
	sum := mustImport(t, db, "", file)
	if sum.ShoppersCreated != 2 {
		t.Errorf("import after registration created %d shoppers, want 2 (the file's %s is not Ada)", sum.ShoppersCreated, ada.ExternalID)
	}
	if want := "1 customer whose user_id an account here already has, kept apart from it: " + ada.ExternalID + " as " + ada.ExternalID + "~imported"; sum.RenamedLine() != want {
		t.Errorf("the summary says %q, want %q", sum.RenamedLine(), want)
	}
	if n := eventsOf(ada.ExternalID); n != 0 {
		t.Fatalf("the registered account %s got %d events of the imported customer with its id", ada.ExternalID, n)
	}
	var imported models.Shopper
	must(t, db.R.Where("imported_as = ?", ada.ExternalID).First(&imported).Error)
	if imported.ID == ada.ID || imported.Email != nil || eventsOf(imported.ExternalID) != 1 {
		t.Fatalf("imported customer %+v holds %d events, want a separate account with 1", imported, eventsOf(imported.ExternalID))
	}
	// A later export adds to the same customers.
	file = "user_id,product_id,type,timestamp\n" + ada.ExternalID + ",P1,view,2026-02-03T09:00:00Z\nzoe,P2,view,2026-02-03T09:00:00Z\n"
	sum = mustImport(t, db, "", file)
	if sum.ShoppersCreated != 0 || eventsOf(imported.ExternalID) != 2 || eventsOf("zoe") != 2 || eventsOf(ada.ExternalID) != 0 {
		t.Fatalf("re-import: %d shoppers created, imported %s has %d events, zoe %d, Ada %d; want 0, 2, 2, 0",
			sum.ShoppersCreated, imported.ExternalID, eventsOf(imported.ExternalID), eventsOf("zoe"), eventsOf(ada.ExternalID))
	}
	// The same export again finds the renamed customer's events stored.
	if sum = mustImport(t, db, "", file); sum.Events != 0 || sum.EventsSkipped != 2 || eventsOf(imported.ExternalID) != 2 {
		t.Fatalf("the same export again: %d stored, %d skipped, %s has %d events; want 0, 2, 2", sum.Events, sum.EventsSkipped, imported.ExternalID, eventsOf(imported.ExternalID))
	}
	// A later file's customer named like the renamed one is someone else too.
	sum = mustImport(t, db, "", "user_id,product_id,type,timestamp\n"+imported.ExternalID+",P3,view,2026-02-02T09:00:00Z\n")
	if sum.ShoppersCreated != 1 || eventsOf(imported.ExternalID) != 2 {
		t.Fatalf("a customer named %s joined the renamed one's history (%d created)", imported.ExternalID, sum.ShoppersCreated)
	}
	// Registering after the import takes none of the imported ids.
	bo, err := db.CreateShopper(ctx, "Bo", "bo@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if eventsOf(bo.ExternalID) != 0 {
		t.Fatalf("Bo registered as %s and found %d imported events", bo.ExternalID, eventsOf(bo.ExternalID))
	}
}

// Customers stored before imports were named (the seeded demo's, older
// imports') are found again by their key: their history continues.
func TestImportContinuesAnUnnamedCustomersHistory(t *testing.T) {
	db := openDB(t)
	mustImport(t, db, goodProducts, "")
	must(t, db.Bulk(context.Background(), func(b *models.BulkTx) error {
		return b.CreateShoppers([]models.Shopper{{ExternalID: "u7", Name: "Demo"}})
	}))
	sum := mustImport(t, db, "", "user_id,product_id,type,timestamp\nu7,P1,view,2026-02-01T09:00:00Z\n")
	var n int64
	must(t, db.R.Model(&models.Event{}).Where("user_key = ?", "u7").Count(&n).Error)
	if sum.ShoppersCreated != 0 || n != 1 {
		t.Fatalf("import of u7: %d shoppers created, u7 has %d events; want 0 and 1", sum.ShoppersCreated, n)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// A merchant re-imports an updated catalog (rows in another order, new
// titles and prices, a new product first, the deactivate-missing option
// on): every SKU keeps its product, so its history, the cart lines that
// hold it and its place in the admin all stay.
func TestReimportKeepsEachSKUsProduct(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, goodEvents)
	before := map[string]uint{}
	for _, sku := range []string{"P1", "P2", "P3"} {
		p, err := db.ProductByExternalID(ctx, sku)
		must(t, err)
		before[sku] = p.ID
	}
	must(t, db.AddToCart(ctx, "v:cart", before["P3"], 1))
	updated := "id,title,description,category,brand,price,stock,created_at\n" +
		"P0,Brand New Lamp,,Outdoor > Lamps,Northpeak,30,5,\n" +
		"P3,Chef's Knife 2,Sharper,Kitchen,Kōbō,12.50,3,\n" +
		"P1,Trail Tent 3,,Outdoor > Tents,Northpeak,179,12,\n" +
		"P2,Camp Stove,,Outdoor>Camp Stoves,Trailwise,45,4,\n"
	_, err := ImportWith(ctx, db, ImportOptions{Products: writeFile(t, "products.csv", updated), DeactivateMissing: true}, nil)
	must(t, err)
	for sku, id := range before {
		p, err := db.ProductByExternalID(ctx, sku)
		must(t, err)
		if p.ID != id {
			t.Errorf("%s was product %d and is %d after the re-import", sku, id, p.ID)
		}
	}
	lines, err := db.CartLines(ctx, "v:cart")
	must(t, err)
	if len(lines) != 1 || lines[0].ProductID != before["P3"] || lines[0].Product.Title != "Chef's Knife 2" {
		t.Fatalf("cart after the re-import: %+v", lines)
	}
	var n int64
	must(t, db.R.Model(&models.Event{}).Where("product_id = ?", before["P1"]).Count(&n).Error)
	if n != 4 {
		t.Fatalf("P1 keeps %d of its 4 events", n)
	}
}

// TestImportPreviewShowsWhatItOverwrites: after a merchant puts P1 on sale
// and restocks it in the admin, re-uploading the old file shows, before
// anything is written, that it sets P1's price and stock back and ends the
// sale; P3, unchanged, is not listed; a full-catalog file names the
// inactive product it switches back on.
func TestImportPreviewShowsWhatItOverwrites(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	keys, err := db.ProductKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateProductAdmin(ctx, "admin", keys["P1"], models.ProductEdit{PriceCents: 14999, CompareAtCents: 19999, Stock: 40, Active: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateProductAdmin(ctx, "admin", keys["P2"], models.ProductEdit{PriceCents: 4500, Stock: 0, Active: false}, nil); err != nil {
		t.Fatal(err)
	}
	plan, err := PlanImport(ctx, db, ImportOptions{Products: writeFile(t, "again.csv", goodProducts), DeactivateMissing: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pv := plan.Preview
	if pv.UpdatedProducts != 3 || pv.Changed != 2 || pv.PriceStockChanged != 1 || len(pv.Changes) != 2 {
		t.Fatalf("preview: %d updated, %d changed, %d price/stock, changes %+v; want 3, 2, 1", pv.UpdatedProducts, pv.Changed, pv.PriceStockChanged, pv.Changes)
	}
	p1, p2 := pv.Changes[0], pv.Changes[1]
	want1 := []FieldChange{{"price", "149.99", "199.99"}, {"sale", "on sale", "ends"}, {"stock", "40", "12"}}
	if p1.ID != "P1" || p1.Line != 2 || !reflect.DeepEqual(p1.Fields, want1) {
		t.Errorf("P1 change = %+v, want line 2 with %v", p1, want1)
	}
	if want2 := []FieldChange{{"active", "no", "yes"}}; p2.ID != "P2" || !reflect.DeepEqual(p2.Fields, want2) {
		t.Errorf("P2 change = %+v, want %v", p2, want2)
	}
}

// datedProducts is goodProducts with every created_at given: an empty one
// means the moment of the import, which two imports compared do not share.
var datedProducts = strings.Replace(goodProducts, "Kōbō,0.5,3,,", "Kōbō,0.5,3,2026-01-04T10:00:00Z,", 1)

// A file whose lines end with a carriage return alone (a spreadsheet's
// "CSV (Macintosh)") is the same import as with newlines: the same
// products, descriptions and events, and a bad row is reported on its line.
func TestImportTakesLinesEndedByACarriageReturn(t *testing.T) {
	cr := func(s string) string { return strings.ReplaceAll(s, "\n", "\r") }
	lf, mac := openDB(t), openDB(t)
	want := mustImport(t, lf, datedProducts, goodEvents)
	got := mustImport(t, mac, cr(datedProducts), cr(goodEvents))
	if got.ProductsCreated != want.ProductsCreated || got.Events != want.Events {
		t.Fatalf("carriage returns: %d products, %d events; newlines: %d, %d", got.ProductsCreated, got.Events, want.ProductsCreated, want.Events)
	}
	if a, b := dbState(t, mac), dbState(t, lf); a != b {
		t.Errorf("carriage returns stored\n%s\nnewlines stored\n%s", a, b)
	}
	bad := writeFile(t, "bad.csv", cr(goodProducts+"P9,Lamp,,Home,Lumo,not-a-price,1,,\n"))
	_, err := Import(context.Background(), openDB(t), bad, "", nil)
	if err == nil || !strings.Contains(err.Error(), "bad.csv:6: field price") {
		t.Errorf("bad row: %v, want it reported as bad.csv:6 (the quoted description spans lines 2-3)", err)
	}
}

// A file saved as UTF-16 with its byte order mark (a spreadsheet's
// "Unicode text" saved with commas, or Windows PowerShell's redirection)
// is the same import as the UTF-8 file: it was refused as malformed CSV.
func TestImportTakesUTF16Files(t *testing.T) {
	utf16Of := func(s string, big bool) string {
		var b []byte
		for _, u := range utf16.Encode([]rune("\ufeff" + strings.TrimPrefix(s, "\ufeff"))) {
			if big {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return string(b)
	}
	plain := openDB(t)
	want := mustImport(t, plain, datedProducts, goodEvents)
	for _, big := range []bool{false, true} {
		db := openDB(t)
		got := mustImport(t, db, utf16Of(datedProducts, big), utf16Of(goodEvents, big))
		if got.ProductsCreated != want.ProductsCreated || got.Events != want.Events {
			t.Fatalf("UTF-16 (big-endian %v): %d products, %d events; UTF-8: %d, %d", big, got.ProductsCreated, got.Events, want.ProductsCreated, want.Events)
		}
		if a, b := dbState(t, db), dbState(t, plain); a != b {
			t.Errorf("UTF-16 (big-endian %v) stored\n%s\nUTF-8 stored\n%s", big, a, b)
		}
	}
}

// A shop imports its ERP's events export every night; each export
// overlaps the last (or is the whole history again). Events already
// stored are not stored twice, rows repeated within a file all count, and
// the summary says how many were skipped.
func TestReimportingAnOverlappingEventsExportStoresOnlyWhatIsNew(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	count := func() int64 {
		n, err := db.CountEvents(ctx)
		must(t, err)
		return n
	}
	// Monday's export: a day-stamped export writes two views of P1 on one
	// day alike; a time with an offset, one with a fraction, a value.
	monday := "user_id,product_id,type,timestamp,value\n" +
		"alice,P1,view,2026-02-01T00:00:00Z,\n" +
		"alice,P1,view,2026-02-01T00:00:00Z,\n" +
		"alice,P1,purchase,2026-02-01T10:00:00+01:00,199.99\n" +
		"bob,P3,view,2026-02-02T12:00:00.123456789Z,\n" +
		"bob,P3,add_to_cart,2026-02-02T12:01:00Z,2\n"
	if sum := mustImport(t, db, "", monday); sum.Events != 5 || sum.EventsSkipped != 0 || sum.SkippedLine() != "" {
		t.Fatalf("first import: %d stored, %d skipped (%q); want 5, 0", sum.Events, sum.EventsSkipped, sum.SkippedLine())
	}
	// The same file again (a job run twice): nothing new.
	sum := mustImport(t, db, "", monday)
	if sum.Events != 0 || sum.EventsSkipped != 5 || count() != 5 {
		t.Fatalf("the same file again: %d stored, %d skipped, %d in the database; want 0, 5, 5", sum.Events, sum.EventsSkipped, count())
	}
	if want := "5 events already stored (the same customer, product, type, time and value), not stored again"; sum.SkippedLine() != want {
		t.Errorf("summary %q, want %q", sum.SkippedLine(), want)
	}
	// Tuesday's export repeats Monday's last day and adds two events; the
	// same moment with another value, type or product is another event.
	tuesday := "user_id,product_id,type,timestamp,value\n" +
		"bob,P3,view,2026-02-02T12:00:00.123456789Z,\n" +
		"bob,P3,add_to_cart,2026-02-02T12:01:00Z,2\n" +
		"bob,P3,add_to_cart,2026-02-02T12:01:00Z,3\n" +
		"bob,P2,add_to_cart,2026-02-02T12:01:00Z,2\n" +
		"carol,P1,view,2026-02-03T08:00:00Z,\n"
	if sum := mustImport(t, db, "", tuesday); sum.Events != 3 || sum.EventsSkipped != 2 || count() != 8 {
		t.Fatalf("overlapping export: %d stored, %d skipped, %d in the database; want 3, 2, 8", sum.Events, sum.EventsSkipped, count())
	}
	// A file holding the day-stamped view three times over a database
	// holding it twice stores one more.
	third := "user_id,product_id,type,timestamp\n" + strings.Repeat("alice,P1,view,2026-02-01T00:00:00Z\n", 3)
	if sum := mustImport(t, db, "", third); sum.Events != 1 || sum.EventsSkipped != 2 || count() != 9 {
		t.Fatalf("three alike over two: %d stored, %d skipped, %d in the database; want 1, 2, 9", sum.Events, sum.EventsSkipped, count())
	}
	// The shop's own tracking of the same customer and product is not
	// taken for the file's row at another time.
	must(t, db.Bulk(ctx, func(b *models.BulkTx) error {
		ids, err := b.ProductIDs()
		if err != nil {
			return err
		}
		p := ids["P2"]
		return b.InsertEvents([]models.Event{{UserKey: "dave", ProductID: &p, Type: models.EventView, CreatedAt: time.Date(2026, 2, 4, 9, 0, 0, 0, time.UTC)}})
	}))
	if sum := mustImport(t, db, "", "user_id,product_id,type,timestamp\ndave,P2,view,2026-02-04T09:00:01Z\ndave,P2,view,2026-02-04T09:00:00Z\n"); sum.Events != 1 || sum.EventsSkipped != 1 {
		t.Fatalf("dave: %d stored, %d skipped; want 1, 1", sum.Events, sum.EventsSkipped)
	}
}

// A shop that keeps raw events for 30 days (the admin's data retention)
// does not store an import's older events: the next daily clean-up would
// delete them, and until then they were trained on and exported.
func TestImportDoesNotStoreEventsOlderThanTheRetentionPeriod(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, goodProducts, "")
	must(t, db.SetSetting(ctx, "admin", models.SettingEventRetentionDays, "30"))
	now := time.Now().UTC()
	day := func(ago int) string { return now.AddDate(0, 0, -ago).Format(time.RFC3339) }
	file := "user_id,product_id,type,timestamp\n" +
		"alice,P1,view," + day(400) + "\n" +
		"alice,P1,purchase," + day(31) + "\n" +
		"alice,P2,view," + day(29) + "\n" +
		"bob,P3,view," + day(1) + "\n"
	sum := mustImport(t, db, "", file)
	n, err := db.CountEvents(ctx)
	must(t, err)
	if sum.Events != 2 || sum.EventsExpired != 2 || n != 2 {
		t.Fatalf("%d stored, %d older than the retention, %d in the database; want 2, 2, 2", sum.Events, sum.EventsExpired, n)
	}
	if want := "2 events older than the 30 days this shop keeps events (data retention), not stored"; sum.SkippedLine() != want {
		t.Errorf("summary %q, want %q", sum.SkippedLine(), want)
	}
	// The same file again: the recent two are already stored, the old two
	// still not stored.
	if sum := mustImport(t, db, "", file); sum.Events != 0 || sum.EventsSkipped != 2 || sum.EventsExpired != 2 {
		t.Fatalf("again: %d stored, %d skipped, %d expired; want 0, 2, 2", sum.Events, sum.EventsSkipped, sum.EventsExpired)
	}
	// Keeping events for ever stores them all.
	must(t, db.SetSetting(ctx, "admin", models.SettingEventRetentionDays, "0"))
	if sum := mustImport(t, db, "", file); sum.Events != 2 || sum.EventsExpired != 0 {
		t.Fatalf("kept for ever: %d stored, %d expired; want 2, 0", sum.Events, sum.EventsExpired)
	}
}

// TestImportReadsASpreadsheetsSeparator: a file a spreadsheet saved with
// its locale's separator (semicolons in German, tabs as "Unicode text")
// is the same import as the file with commas; it was refused, saying to
// save it again with commas. A semicolon inside a quoted title stays in it.
func TestImportReadsASpreadsheetsSeparator(t *testing.T) {
	commas, semis, tabs := openDB(t), openDB(t), openDB(t)
	// Dated products: one imported without a date is added now, which
	// differs between imports a second apart.
	want := mustImport(t, commas, datedProducts, goodEvents)
	sep := func(s, with string) string {
		// The products quote a description holding commas: only the
		// separators outside quotes change.
		var b strings.Builder
		quoted := false
		for _, r := range s {
			switch {
			case r == '"':
				quoted = !quoted
			case r == ',' && !quoted:
				b.WriteString(with)
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	for _, c := range []struct {
		db   *models.DB
		with string
	}{{semis, ";"}, {tabs, "\t"}} {
		got := mustImport(t, c.db, sep(datedProducts, c.with), sep(goodEvents, c.with))
		if got.ProductsCreated != want.ProductsCreated || got.Events != want.Events {
			t.Fatalf("separated by %q: %d products, %d events; with commas %d, %d", c.with, got.ProductsCreated, got.Events, want.ProductsCreated, want.Events)
		}
		if a, b := dbState(t, c.db), dbState(t, commas); a != b {
			t.Errorf("separated by %q stored\n%s\nwith commas\n%s", c.with, a, b)
		}
	}
	db := openDB(t)
	mustImport(t, db, "id;title;description;category;brand;price;stock;created_at\nART-1;\"Teller; flach\";;Küche;;1.299,00;2;\n", "")
	ps, err := db.AllProducts(context.Background())
	must(t, err)
	if len(ps) != 1 || ps[0].Title != "Teller; flach" || ps[0].PriceCents != 129900 {
		t.Fatalf("a German export stored %+v, want one product 'Teller; flach' at 1299.00", ps)
	}
}

// TestImportTakesAProductsDateAlone: a catalog export that writes when a
// product was added as a date (2026-03-01) imports, the product added at
// the start of that day (UTC); the whole file was refused, one problem a
// product. An event's timestamp still needs its time and offset.
// TestImportSaysAProductsDateMayBeADateAlone: a created_at the import
// could not read was refused "as RFC 3339", though a date alone is read
// too; a Magento export's "6/5/25, 7:51 AM" is now refused saying so, and
// that a date with slashes may be month or day first. Its product_online,
// exported from its grid as Enabled/Disabled, is read.
func TestImportSaysAProductsDateMayBeADateAlone(t *testing.T) {
	db := openDB(t)
	_, err := Import(context.Background(), db, writeFile(t, "products.csv", "id,title,description,category,brand,price,stock,created_at,active\n"+
		"TH100,Throw,,Living,B,89,1,\"6/5/25, 7:51 AM\",Enabled\n"+
		"TH200,Throw,,Living,B,89,1,yesterday,Disabled\n"), "", nil)
	for _, w := range []string{`products.csv:2: field created_at: cannot parse "6/5/25, 7:51 AM" as a date (2026-03-01) or a time in RFC 3339 (2026-03-01T12:00:00Z): a date with slashes may be month or day first; write it year first`,
		`products.csv:3: field created_at: cannot parse "yesterday" as a date (2026-03-01) or a time in RFC 3339 (2026-03-01T12:00:00Z)`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %v does not say %q", err, w)
		}
	}
	if err != nil && strings.Contains(err.Error(), "field active") {
		t.Errorf("Enabled or Disabled refused: %v", err)
	}
}

func TestImportTakesAProductsDateAlone(t *testing.T) {
	db := openDB(t)
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,B,19.99,1,2026-03-01\nP2,Mat,,Outdoor,B,9.99,1, 2026-04-15 \n", "")
	ps, err := db.AllProducts(context.Background())
	must(t, err)
	want := map[string]time.Time{"P1": time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "P2": time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)}
	for _, p := range ps {
		if !p.CreatedAt.Equal(want[p.ExternalID]) {
			t.Errorf("%s added %v, want %v", p.ExternalID, p.CreatedAt, want[p.ExternalID])
		}
	}
	if len(ps) != 2 {
		t.Fatalf("%d products imported, want 2", len(ps))
	}
}

// TestImportReadsAMagentoExportsDecimals: Magento's catalog export writes
// every price with six decimals ("89.000000") and every quantity with four
// ("12.0000"), BigCommerce's its prices with four: each row of such a file
// was refused twice ("has more than 2 decimals", "cannot parse "12.0000"
// as a whole number"). Zeros past the cents (past the units for stock)
// are dropped; a fraction of a cent or of a unit is still refused, and
// three decimals, a thousand in a German file, stay ambiguous.
func TestImportReadsAMagentoExportsDecimals(t *testing.T) {
	db := openDB(t)
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,compare_at_price\n"+
		"TH100-OAT,Chunky Knit Throw-Oatmeal,,Living,Hearth & Loom,89.000000,12.0000,,\n"+
		"CA103,Three-Wick Candle,,Candles,Lume,39.000000,0.0000,,52.000000\n"+
		"MG100,Mug,,Kitchen,Olaria,29.9500,3.0,,\n", "")
	ps, err := db.AllProducts(context.Background())
	must(t, err)
	got := map[string]string{}
	for _, p := range ps {
		got[p.ExternalID] = fmt.Sprintf("%d/%d/%d", p.PriceCents, p.CompareAtCents, p.Stock)
	}
	want := map[string]string{"TH100-OAT": "8900/0/12", "CA103": "3900/5200/0", "MG100": "2995/0/3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("price/compare-at/stock %v, want %v", got, want)
	}
	_, err = Import(context.Background(), db, writeFile(t, "products.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"A,Half,,Living,B,1.00,2.5000,\n"+
		"B,Thousand,,Living,B,1.00,1.000,\n"+
		"C,Cent,,Living,B,1.0050,1,\n"), "", nil)
	if err == nil {
		t.Fatal("a stock of 2.5 imported")
	}
	for _, w := range []string{`products.csv:2: field stock: cannot parse "2.5000" as a whole number`,
		`products.csv:3: field stock: cannot parse "1.000" as a whole number`,
		`products.csv:4: field price: "1.0050" has more than 2 decimals`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("refusal %q does not say %q", err, w)
		}
	}
}

// TestImportReadsPricesWrittenWithTheirCurrency: an export from another
// shop system writes its prices with the currency ("$1,299.00", "USD
// 19.99", "19,99 €"); they import as the amounts, where every such row was
// refused ("cannot parse "$182.56" as a price like 19.99", thousands of
// problems for one catalog). Prices of two currencies in one file are
// refused on the line that changes currency.
func TestImportReadsPricesWrittenWithTheirCurrency(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,compare_at_price\n"+
		"P1,Tent,,Outdoor,B,\"$1,299.00\",1,,\n"+
		"P2,Mat,,Outdoor,B,USD 19.99,1,,$25\n"+
		"P3,Mug,,Outdoor,B,4.50,1,,\n"+
		"P4,Stove,,Outdoor,B,US$ 80,1,,\n", "")
	want := map[string][2]int64{"P1": {129900, 0}, "P2": {1999, 2500}, "P3": {450, 0}, "P4": {8000, 0}}
	for id, w := range want {
		p, err := db.ProductByExternalID(ctx, id)
		must(t, err)
		if p.PriceCents != w[0] || p.CompareAtCents != w[1] {
			t.Errorf("%s: price %d, regular price %d; want %d, %d", id, p.PriceCents, p.CompareAtCents, w[0], w[1])
		}
	}
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Tent,,Outdoor,B,\"1.299,00 €\",1,\nP2,Mat,,Outdoor,B,\"EUR 19,99\",1,\n", "")
	if p, _ := db.ProductByExternalID(ctx, "P1"); p.PriceCents != 129900 {
		t.Errorf("1.299,00 € imported as %d cents", p.PriceCents)
	}
	path := writeFile(t, "mixed.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Tent,,Outdoor,B,$10.00,1,\nP2,Mat,,Outdoor,B,€12.00,1,\n")
	_, err := Import(ctx, db, path, "", nil)
	if err == nil || !strings.Contains(err.Error(), "mixed.csv:3: field price") || !strings.Contains(err.Error(), "line 2's prices in USD") {
		t.Fatalf("a file of dollars and euros: %v", err)
	}
	if p, _ := db.ProductByExternalID(ctx, "P1"); p.PriceCents != 129900 {
		t.Errorf("a refused file changed P1's price to %d", p.PriceCents)
	}
}

// TestImportReadsPricesWithThousandsGroupedBySpaces: a Polish, Czech,
// French or Scandinavian spreadsheet saves 1299 as "1 299,00" (with a
// no-break space, or a narrow one), a Swiss one as "1'299.50"; each such
// row was refused ("cannot parse "1 299,00" as a price like 19.99"), a
// catalog of zloty or kroner prices above a thousand not importable at all.
func TestImportReadsPricesWithThousandsGroupedBySpaces(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id;title;description;category;brand;price;stock;created_at\n"+
		"P1;Namiot;;Outdoor;B;1 299,00 zł;1;\n"+
		"P2;Mata;;Outdoor;B;2\u00a0450,50 zł;1;\n"+
		"P3;Kubek;;Outdoor;B;12\u202f999 zł;1;\n"+
		"P4;Kocher;;Outdoor;B;19,99 zł;1;\n", "")
	for id, want := range map[string]int64{"P1": 129900, "P2": 245050, "P3": 1299900, "P4": 1999} {
		p, err := db.ProductByExternalID(ctx, id)
		must(t, err)
		if p.PriceCents != want {
			t.Errorf("%s: price %d cents, want %d", id, p.PriceCents, want)
		}
	}
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"S1,Zelt,,Outdoor,B,CHF 1'299.50,1,\n", "")
	if p, _ := db.ProductByExternalID(ctx, "S1"); p.PriceCents != 129950 {
		t.Errorf("CHF 1'299.50 imported as %d cents", p.PriceCents)
	}
}

func TestSplitCurrency(t *testing.T) {
	for _, c := range []struct{ in, amount, currency string }{
		{"$19.99", "19.99", "$"}, {"19,99 €", "19,99", "€"}, {"USD 5", "5", "USD"}, {"5 EUR", "5", "EUR"},
		{"R$ 10,00", "10,00", "R$"}, {"CA$12", "12", "CA$"}, {"12 kr", "12", "kr"}, {"£ 3", "3", "£"},
		{"19.99", "19.99", ""}, {"abc 5", "abc 5", ""}, {"5 pieces", "5 pieces", ""}, {"-$5", "-$5", ""}, {"", "", ""},
		{"US$ -5.00", "-5.00", "US$"}, {"€-5", "-5", "€"}, {"EUR - 5", "-5", "EUR"}, {"-5,00 €", "-5,00", "€"},
	} {
		if a, cur := models.SplitCurrency(c.in); a != c.amount || cur != c.currency {
			t.Errorf("models.SplitCurrency(%q) = %q, %q; want %q, %q", c.in, a, cur, c.amount, c.currency)
		}
	}
	// A negative price is called so whichever side its currency is
	// written on: "US$ -5.00" was "cannot parse … as a price like 19.99".
	for _, in := range []string{"US$ -5.00", "-$5", "€-5", "-5,00 €", "USD -12.50"} {
		amount, _ := models.SplitCurrency(in)
		if _, err := models.ParsePrice(amount); err == nil || !strings.Contains(err.Error(), "is negative") {
			t.Errorf("the price %q: %v, want it called negative", in, err)
		}
	}
}

// TestAFirstImportInEurosMakesAEuroShop: a merchant whose first catalog is
// priced "19,99 €" got a shop that showed those prices as dollars, with no
// word of the settings. A shop nobody has configured now takes the file's
// currency and says so; a shop whose merchant chose a currency keeps it and
// the import says the file's prices are in another.
func TestAFirstImportInEurosMakesAEuroShop(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	euros := writeFile(t, "artikel.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Zelt,,Outdoor,B,\"129,00 €\",1,\nP2,Matte,,Outdoor,B,\"19,99 €\",1,\n")
	sum, err := Import(ctx, db, euros, "", nil)
	must(t, err)
	s, err := db.ShopSettings(ctx)
	must(t, err)
	if s.Currency != "EUR" || !sum.CurrencySet || !strings.Contains(sum.CurrencyLine(), "now sells in EUR") {
		t.Fatalf("a fresh shop after a euro import sells in %s (set %v, %q)", s.Currency, sum.CurrencySet, sum.CurrencyLine())
	}

	s.Currency = "GBP"
	must(t, db.SaveShopSettings(ctx, "admin", s))
	sum, err = Import(ctx, db, euros, "", nil)
	must(t, err)
	if s, _ = db.ShopSettings(ctx); s.Currency != "GBP" || sum.CurrencySet {
		t.Fatalf("an import overruled the merchant's GBP with %s", s.Currency)
	}
	if line := sum.CurrencyLine(); !strings.Contains(line, "in EUR but the shop sells in GBP") {
		t.Fatalf("the import did not say its prices are in another currency: %q", line)
	}
	plain := writeFile(t, "plain.csv", "id,title,description,category,brand,price,stock,created_at\nP3,Becher,,Outdoor,B,4.50,1,\n")
	if sum, err = Import(ctx, db, plain, "", nil); err != nil || sum.CurrencyLine() != "" {
		t.Fatalf("prices without a currency: %v, %q", err, sum.CurrencyLine())
	}
}

// A products file's active column says which products are for sale: the
// catalog export's true/false, and what another shop's export writes (a
// WooCommerce draft is -1, a private product 0; Shopify's draft and
// archived). Drafts and private products were put on sale by every import,
// and a product the merchant took off sale came back when the catalog
// export was imported again as the full catalog.
func TestImportReadsWhetherAProductIsForSale(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	head := "id,title,description,category,brand,price,stock,created_at,active\n"
	sum := mustImport(t, db, head+
		"W1,Yirgacheffe 250g,,Coffee,Kaffa,14.50,40,,1\n"+
		"W2,Kenya AA (coming soon),,Coffee,Kaffa,16.00,0,,-1\n"+
		"W3,Wholesale 5kg,,Coffee,Kaffa,165.00,50,,Private\n"+
		"W4,Gift Card,,Gifts,,50.00,100,,\n", "")
	active, err := db.ActiveProductKeys(ctx)
	must(t, err)
	if len(active) != 2 || !active["W1"] || !active["W4"] || sum.ProductsInactive != 2 || sum.ProductsCreated != 4 {
		t.Fatalf("for sale %v, %d said not for sale, %d created; want W1 and W4, 2, 4", active, sum.ProductsInactive, sum.ProductsCreated)
	}

	// A file without the column keeps each stored product's state.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"W2,Kenya AA (coming soon),,Coffee,Kaffa,16.50,0,\n", "")
	if active, _ = db.ActiveProductKeys(ctx); active["W2"] || len(active) != 2 {
		t.Fatalf("for sale %v after a file without the column, want W1 and W4 still", active)
	}

	// A value that is no status is refused on its line, nothing written.
	before := dbState(t, db)
	_, err = Import(ctx, db, writeFile(t, "bad.csv", head+"W1,Yirgacheffe 250g,,Coffee,Kaffa,14.50,40,,maybe\n"), "", nil)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Line != 2 || ie.Problems[0].Field != "active" ||
		!strings.Contains(ie.Problems[0].Reason, `"maybe" is not a product's status`) {
		t.Fatalf("err = %v, want bad.csv:2 field active refused", err)
	}
	if after := dbState(t, db); after != before {
		t.Fatalf("a refused import changed the database:\n%s\n%s", before, after)
	}

	// As the full catalog: the listed W1 the file takes off sale stays
	// off, W2 goes on sale, W3 (listed, empty cell) comes back, W4 is not
	// listed. The preview says which products change.
	full := writeFile(t, "catalog.csv", head+
		"W1,Yirgacheffe 250g,,Coffee,Kaffa,14.50,40,,false\n"+
		"W2,Kenya AA,,Coffee,Kaffa,16.50,12,,true\n"+
		"W3,Wholesale 5kg,,Coffee,Kaffa,165.00,50,,\n")
	plan, err := PlanImport(ctx, db, ImportOptions{Products: full, DeactivateMissing: true}, nil)
	must(t, err)
	got := map[string]string{}
	for _, c := range plan.Preview.Changes {
		for _, f := range c.Fields {
			if f.Field == "active" {
				got[c.ID] = f.Old + "→" + f.New
			}
		}
	}
	if want := map[string]string{"W1": "yes→no", "W2": "no→yes", "W3": "no→yes"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the preview's active changes %v, want %v", got, want)
	}
	sum, err = plan.Apply(ctx, db)
	must(t, err)
	if active, _ = db.ActiveProductKeys(ctx); len(active) != 2 || !active["W2"] || !active["W3"] || sum.ProductsDeactivated != 1 || sum.ProductsInactive != 1 {
		t.Fatalf("for sale %v, %d deactivated as missing, %d said not for sale; want W2 and W3, 1, 1", active, sum.ProductsDeactivated, sum.ProductsInactive)
	}
}

// TestAnImportLeavesTheCurrencyOfAShopWithHistory: the currency adopted
// from a first catalog is not adopted from a later one. A shop nobody
// configured that had sold in dollars took a partial update whose one
// price read "129,00 €" as its currency: its 7,148 orders and 4,999 other
// prices then read as euros. A shop holding products the file does not
// list, or orders, keeps its currency and the import says the file's
// prices are in another; the whole catalog again, before any order, is
// still a first catalog.
func TestAnImportLeavesTheCurrencyOfAShopWithHistory(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	dollars := writeFile(t, "catalog.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Tent,,Outdoor,B,129.00,1,\nP2,Mat,,Outdoor,B,19.99,1,\n")
	_, err := Import(ctx, db, dollars, "", nil)
	must(t, err)
	update := writeFile(t, "update.csv", "id,title,description,category,brand,price,stock,created_at\nP1,Zelt,,Outdoor,B,\"129,00 €\",1,\n")
	sum, err := Import(ctx, db, update, "", nil)
	must(t, err)
	if s, _ := db.ShopSettings(ctx); s.Currency != "USD" || sum.CurrencySet {
		t.Fatalf("a file listing one of the shop's two products made it sell in %s", s.Currency)
	}
	if line := sum.CurrencyLine(); !strings.Contains(line, "in EUR but the shop sells in USD") {
		t.Fatalf("the import did not say its prices are in another currency: %q", line)
	}

	whole := writeFile(t, "ganz.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Zelt,,Outdoor,B,\"129,00 €\",1,\nP2,Matte,,Outdoor,B,\"19,99 €\",1,\n")
	must(t, db.W.Create(&models.Order{IdempotencyKey: "first-order", Status: "paid", TotalCents: 12900, CreatedAt: time.Now()}).Error)
	if sum, err = Import(ctx, db, whole, "", nil); err != nil || sum.CurrencySet {
		t.Fatalf("the whole catalog in euros after an order in dollars: set %v, %v", sum != nil && sum.CurrencySet, err)
	}
	if s, _ := db.ShopSettings(ctx); s.Currency != "USD" {
		t.Fatalf("a shop with an order now sells in %s", s.Currency)
	}
	must(t, db.W.Where("idempotency_key = ?", "first-order").Delete(&models.Order{}).Error)
	if sum, err = Import(ctx, db, whole, "", nil); err != nil || !sum.CurrencySet {
		t.Fatalf("the whole catalog in euros before any order: set %v, %v", sum != nil && sum.CurrencySet, err)
	}
}

// A WooCommerce export lists a product's categories in one cell, each as
// its path ("Coffee, Coffee > Single Origin", a comma in a name written
// "\,"), and its images as addresses separated by commas. The import made
// a category "Coffee, Coffee" and stored "https://…/a.jpg, https://…/b.jpg"
// as one address, which no browser loads. Now the product goes under the
// deepest category it lists and shows its first image, and the summary
// says so; in a file that lists no categories a comma is part of a name.
func TestImportReadsAWooCommerceListOfCategoriesAndImages(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	sum := mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,image_url\n"+
		"KF-001,Yirgacheffe 250g,,\"Coffee, Coffee > Single Origin\",Kaffa,14.50,40,,\"https://shop.example.com/a.jpg, https://shop.example.com/a-2.jpg\"\n"+
		"KF-005,V60 Dripper,,\"Brewing > Pour Over, Sale\",Hario,21.60,25,,\"https://res.example.com/w_400,h_300/v60.jpg\"\n"+
		"KF-011,Filters,,\"Brewing > Accessories\\, Paper\",Hario,6.50,120,,\n", "")
	cats := map[string]string{}
	for _, id := range []string{"KF-001", "KF-005", "KF-011"} {
		p, err := db.ProductByExternalID(ctx, id)
		must(t, err)
		cats[id] = categoryPath(t, db, id) + " | " + p.ImageURL
	}
	want := map[string]string{
		"KF-001": "Coffee > Single Origin | https://shop.example.com/a.jpg",
		"KF-005": "Brewing > Pour Over | https://res.example.com/w_400,h_300/v60.jpg",
		"KF-011": "Brewing > Accessories, Paper | ",
	}
	if fmt.Sprint(cats) != fmt.Sprint(want) {
		t.Fatalf("categories and images\n%v\nwant\n%v", cats, want)
	}
	var n int64
	must(t, db.R.Model(&models.Category{}).Where("name LIKE ?", "%,%").Not("name = ?", "Accessories, Paper").Count(&n).Error)
	if n != 0 || sum.CategoryLists != 2 || sum.ImageLists != 1 || !strings.Contains(sum.ListsLine(), "2 products listed several categories") {
		t.Fatalf("%d categories named after a list; summary %d category lists, %d image lists: %q", n, sum.CategoryLists, sum.ImageLists, sum.ListsLine())
	}

	// A file whose paths never list another category keeps the comma.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"T1,Oak Table,,\"Home > Tables, Chairs\",Hazel,199,2,\n", "")
	p, err := db.ProductByExternalID(ctx, "T1")
	must(t, err)
	var c models.Category
	must(t, db.R.First(&c, p.CategoryID).Error)
	if c.Name != "Tables, Chairs" {
		t.Fatalf("T1 is in %q, want \"Tables, Chairs\"", c.Name)
	}
}

// TestImportReadsAMagentoListOfCategories: Magento's export lists every
// category of a product in one cell, each as a path whose levels are
// separated by "/" ("Default Category/Living,Default Category/Living/
// Throws & Blankets"); the import read the commas as part of the names and
// filed a throw under "Default Category > Living,Default Category > Living
// > Throws & Blankets" (a 44-product export: 16 categories, 5 of them such
// names). A "/" file's cell whose second category is a path is a list, and
// the product goes under the deepest; a "/" file without lists keeps a
// comma in a name.
func TestImportReadsAMagentoListOfCategories(t *testing.T) {
	db := openDB(t)
	sum := mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"TH100,Chunky Knit Throw,,\"Default Category/Living,Default Category/Living/Throws & Blankets\",Hearth,89,4,\n"+
		"SV100,Olive Wood Board,,\"Default Category/Kitchen,Default Category/Kitchen/Serveware,Default Category/Gifts\",Casa,49,2,\n"+
		"BA100,Soap Dish,,Default Category/Bath,Olaria,19,3,\n", "")
	path := func(id string) string { return categoryPath(t, db, id) }
	got := map[string]string{}
	for _, id := range []string{"TH100", "SV100", "BA100"} {
		got[id] = path(id)
	}
	want := map[string]string{
		"TH100": "Living > Throws & Blankets",
		"SV100": "Kitchen > Serveware",
		"BA100": "Bath",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("categories\n%v\nwant\n%v", got, want)
	}
	var n int64
	must(t, db.R.Model(&models.Category{}).Where("name LIKE ?", "%,%").Count(&n).Error)
	if n != 0 || sum.CategoryLists != 2 {
		t.Fatalf("%d categories named after a list; summary counts %d category lists, want 2", n, sum.CategoryLists)
	}

	// A "/" file whose cells list no other path keeps the comma.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"T1,Oak Table,,\"Home/Tables, Chairs\",Hazel,199,2,\n"+
		"D1,Desk Lamp,,Office/Lamps,Hazel,39,2,\n", "")
	if got := path("T1"); got != "Home > Tables, Chairs" {
		t.Fatalf("T1 is in %q, want \"Home > Tables, Chairs\"", got)
	}
}

// categoryPath is the path of the category product id is filed under,
// "Living > Throws & Blankets".
func categoryPath(t *testing.T, db *models.DB, id string) string {
	t.Helper()
	p, err := db.ProductByExternalID(context.Background(), id)
	must(t, err)
	var names []string
	for cid := &p.CategoryID; cid != nil; {
		var c models.Category
		must(t, db.R.First(&c, *cid).Error)
		names = append([]string{c.Name}, names...)
		cid = c.ParentID
	}
	return strings.Join(names, " > ")
}

// TestImportLeavesOutTheExportsRootCategory: every path of a Magento
// export starts with its root, "Default Category/Living/Throws &
// Blankets", so the shop's only department was "Default Category": the
// homepage's hero read "Discover Default Category" and the navigation had
// one entry. When every categorised product sits under one top-level
// category and below it, the products are filed under the levels below,
// and the import says so; a later file of the shop lands in the same
// categories, a later file listing one department of a shop with several
// keeps it, and a file with a product in the root itself keeps the root.
func TestImportLeavesOutTheExportsRootCategory(t *testing.T) {
	const header = "id,title,description,category,brand,price,stock,created_at\n"
	db := openDB(t)
	ctx := context.Background()
	path := func(id string) string { return categoryPath(t, db, id) }
	tops := func() []string {
		cats, err := db.Categories(ctx)
		must(t, err)
		var names []string
		for _, c := range cats {
			if c.ParentID == nil {
				names = append(names, c.Name)
			}
		}
		return names
	}
	sum := mustImport(t, db, header+
		"TH100,Chunky Knit Throw,,\"Default Category/Living,Default Category/Living/Throws & Blankets\",Hearth,89,4,\n"+
		"SV100,Olive Wood Board,,\"Default Category/Kitchen,Default Category/Kitchen/Serveware\",Casa,49,2,\n"+
		"BA100,Soap Dish,,Default Category/Bath,Olaria,19,3,\n", "")
	if got := fmt.Sprint(tops()); got != "[Living Kitchen Bath]" || path("TH100") != "Living > Throws & Blankets" ||
		!strings.Contains(sum.ListsLine(), `every category was under "Default Category"; it is left out`) {
		t.Fatalf("departments %s, TH100 in %q; the import said %q", got, path("TH100"), sum.ListsLine())
	}
	var hero models.Slot
	must(t, db.R.Where("type = ?", models.SlotHero).First(&hero).Error)
	if hero.Title == "Discover Default Category" || !strings.HasPrefix(hero.Title, "Discover ") {
		t.Fatalf("the default homepage's hero reads %q", hero.Title)
	}

	// A later export of the same shop, one department of it: the same rule,
	// the same categories.
	n := len(tops())
	sum = mustImport(t, db, header+
		"SV200,Teak Bowl,,\"Default Category/Kitchen,Default Category/Kitchen/Serveware\",Casa,39,2,\n"+
		"TH100,Chunky Knit Throw,,\"Default Category/Living,Default Category/Living/Throws & Blankets\",Hearth,79,4,\n", "")
	if path("SV200") != "Kitchen > Serveware" || path("TH100") != "Living > Throws & Blankets" || len(tops()) != n || sum.CategoriesCreated != 0 {
		t.Fatalf("re-import: SV200 in %q, TH100 in %q, %d departments (was %d), %d categories created", path("SV200"), path("TH100"), len(tops()), n, sum.CategoriesCreated)
	}

	// A file listing one department the shop already stores keeps it.
	sum = mustImport(t, db, header+
		"TH300,Waffle Throw,,Living/Throws & Blankets,Hearth,59,4,\n"+
		"CU100,Cushion,,Living/Cushions,Hearth,29,4,\n", "")
	if path("TH300") != "Living > Throws & Blankets" || path("CU100") != "Living > Cushions" || sum.RootLeftOut != "" {
		t.Fatalf("one stored department: TH300 in %q, CU100 in %q, left out %q", path("TH300"), path("CU100"), sum.RootLeftOut)
	}

	// A product filed in the root itself: the root is a department.
	db = openDB(t)
	sum = mustImport(t, db, header+
		"H1,Gift Card,,Home,,25,9,\n"+
		"H2,Doormat,,Home/Hall,,25,9,\n", "")
	if path("H1") != "Home" || path("H2") != "Home > Hall" || sum.RootLeftOut != "" {
		t.Fatalf("a product in the root: H1 in %q, H2 in %q, left out %q", path("H1"), path("H2"), sum.RootLeftOut)
	}
}

// TestImportSaysWhichImagePathsTheShopDoesNotServe: Magento's export
// names a product's picture by its path under its own media folder
// ("/t/h/th100-oat.jpg"); the import stored it as a path of the shop, which
// answers 404 for it, and said nothing: the admin's catalog showed a broken
// picture for every product. The import still stores it (a server in front
// of the shop may answer it) and says how many such paths the file has,
// with the first, and what to write instead; the shop's own upload paths
// and full addresses are not counted.
func TestImportSaysWhichImagePathsTheShopDoesNotServe(t *testing.T) {
	db := openDB(t)
	sum := mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,image_url\n"+
		"TH100,Chunky Knit Throw,,Living,Hearth,89,4,,/t/h/th100-oat.jpg\n"+
		"TH200,Waffle Throw,,Living,Hearth,59,4,,/w/a/th200.jpg\n"+
		"CU100,Cushion,,Living,Hearth,29,4,,/img/u/"+strings.Repeat("a", 64)+".jpg\n"+
		"CU101,Cushion Ochre,,Living,Hearth,34,4,,https://media.example.com/cu101.jpg\n"+
		"CU102,Cushion Round,,Living,Hearth,45,4,,\n", "")
	p, err := db.ProductByExternalID(context.Background(), "TH100")
	must(t, err)
	line := sum.ListsLine()
	if sum.ImagePaths != 2 || p.ImageURL != "/t/h/th100-oat.jpg" ||
		!strings.Contains(line, `2 products have an image_url that is a path this shop does not serve ("/t/h/th100-oat.jpg")`) ||
		!strings.Contains(line, "full https:// address") {
		t.Fatalf("%d paths counted, TH100's image %q; the import said %q", sum.ImagePaths, p.ImageURL, line)
	}
}

// TestAVariantRowTakesWhatItLeftEmptyFromItsGroup: a Shopify or
// WooCommerce export writes the category, brand and description on a
// group's first row only; the other variants of the group take them from
// it (before, each of them was refused for an empty category), and a
// variant's own cell still wins.
func TestAVariantRowTakesWhatItLeftEmptyFromItsGroup(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at,group_id\n"+
		"HD-S,Hoodie - Oatmeal / S,<p>Heavy cotton.</p>,Apparel > Hoodies,Kaffa,49,3,,hoodie\n"+
		"HD-M,Hoodie - Oatmeal / M,,,,49,3,,hoodie\n"+
		"HD-L,Hoodie - Oatmeal / L,Cut long.,Apparel > Tall,Other,49,3,,hoodie\n", "")
	got := map[string]string{}
	for _, id := range []string{"HD-S", "HD-M", "HD-L"} {
		p, err := db.ProductByExternalID(ctx, id)
		must(t, err)
		var c models.Category
		must(t, db.R.First(&c, p.CategoryID).Error)
		got[id] = c.Name + " | " + p.Brand + " | " + p.Description
	}
	want := map[string]string{
		"HD-S": "Hoodies | Kaffa | Heavy cotton.",
		"HD-M": "Hoodies | Kaffa | Heavy cotton.",
		"HD-L": "Tall | Other | Cut long.",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("variants\n%v\nwant\n%v", got, want)
	}
}

// TestImportReadsMagentosConfigurableProducts: a Magento 2 export writes a
// configurable product (the model, stock 0) after the simple products of
// its colours, each listed in its configurable_variations cell. The import
// read the model as one more product, in stock 0: with a group_id of the
// SKUs' stem, it was a sold-out option among its own colours, and rows
// showed it. Now a configurable row is its variants' group, stored not for
// sale; its variants take its SKU as their group_id and its brand when
// they have none. A shop imported before keeps no sale-able model.
func TestImportReadsMagentosConfigurableProducts(t *testing.T) {
	db := openDB(t)
	old := "id,title,description,category,brand,price,stock,created_at\n" +
		"TH100-OAT,Chunky Knit Throw-Oatmeal,,Living/Throws,Hearth,89,12,\n" +
		"TH100,Chunky Knit Throw,,Living/Throws,Hearth,89,0,\n" +
		"CU100,Linen Cushion,,Living/Cushions,Casa,29,5,\n"
	mustImport(t, db, old, "")
	export := "id,product_type,title,description,category,brand,visibility,price,stock,created_at,configurable_variations\n" +
		"TH100-OAT,simple,Chunky Knit Throw-Oatmeal,,Living/Throws,,Not Visible Individually,89,12,,\n" +
		"TH100-SAG,simple,Chunky Knit Throw-Sage,,Living/Throws,,Not Visible Individually,89,7,,\n" +
		"TH100-CHA,simple,Chunky Knit Throw-Charcoal,,Living/Throws,,Not Visible Individually,89,0,,\n" +
		"TH100,configurable,Chunky Knit Throw,Warm.,Living/Throws,Hearth,\"Catalog, Search\",89,0,,\"sku=TH100-OAT,color=Oatmeal|sku=TH100-SAG,color=Sage|sku=TH100-CHA,color=Charcoal\"\n" +
		"CU100,simple,Linen Cushion,,Living/Cushions,Casa,\"Catalog, Search\",29,5,,\n"
	sum := mustImport(t, db, export, "")
	got := map[string]string{}
	for _, id := range []string{"TH100-OAT", "TH100-SAG", "TH100-CHA", "TH100", "CU100"} {
		p, err := db.ProductByExternalID(context.Background(), id)
		must(t, err)
		got[id] = fmt.Sprintf("group=%q active=%v brand=%q", p.GroupID, p.Active, p.Brand)
	}
	want := map[string]string{
		"TH100-OAT": `group="TH100" active=true brand="Hearth"`,
		"TH100-SAG": `group="TH100" active=true brand="Hearth"`,
		"TH100-CHA": `group="TH100" active=true brand="Hearth"`,
		"TH100":     `group="TH100" active=false brand="Hearth"`,
		"CU100":     `group="" active=true brand="Casa"`,
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %s, want %s", id, got[id], w)
		}
	}
	if sum.Configurables != 1 || sum.ProductsInactive != 0 || !strings.Contains(sum.ListsLine(), "1 configurable product is read as the model of its variants") {
		t.Errorf("summary: %d configurables, %d inactive, %q", sum.Configurables, sum.ProductsInactive, sum.ListsLine())
	}
}

func TestVariantSKUs(t *testing.T) {
	for cell, want := range map[string]string{
		"sku=TH100-OAT,color=Oatmeal|sku=TH100-SAG,color=Sage": "[TH100-OAT TH100-SAG]",
		"color=Blue,sku=B1|size=M, sku = B2":                   "[B1 B2]",
		"":                                                     "[]",
		"color=Blue":                                           "[]",
	} {
		if got := fmt.Sprint(variantSKUs(cell)); got != want {
			t.Errorf("%q: %s, want %s", cell, got, want)
		}
	}
}

// TestImportReadsMagentosVisibility: a Magento 2 export's visibility
// column was not read, so a simple product "Not Visible Individually"
// that no configurable product lists (a spare part Magento shows nowhere)
// went on sale as a card of its own, and "Search" or "Catalog" alone made
// no difference. Now a variant a configurable lists is its option as
// before, a lone one is stored not for sale and the summary says so,
// "Search" is found by search only, "Catalog" listed only; a file without
// the column keeps what is stored, and a value Magento does not write is
// refused with its line.
func TestImportReadsMagentosVisibility(t *testing.T) {
	db := openDB(t)
	export := "id,product_type,title,description,category,brand,visibility,price,stock,created_at,configurable_variations\n" +
		"TH100-OAT,simple,Chunky Knit Throw-Oatmeal,,Living/Throws,,Not Visible Individually,89,12,,\n" +
		"TH100,configurable,Chunky Knit Throw,Warm.,Living/Throws,Hearth,\"Catalog, Search\",89,0,,sku=TH100-OAT\n" +
		"LID-1,simple,Replacement Lid,,Living/Throws,Hearth,Not Visible Individually,4,40,,\n" +
		"GIFT-1,simple,Gift Card Sleeve,,Living/Throws,Hearth,Search,2,40,,\n" +
		"BED-1,simple,Tasselled Bedspread,,Living/Throws,Hearth,Catalog,240,4,,\n" +
		"CU100,simple,Linen Cushion,,Living/Throws,Casa,\"Catalog, Search\",29,5,,\n"
	sum := mustImport(t, db, export, "")
	want := map[string]string{
		"TH100-OAT": `active=true visibility=""`,
		"TH100":     `active=false visibility=""`,
		"LID-1":     `active=false visibility=""`,
		"GIFT-1":    `active=true visibility="search"`,
		"BED-1":     `active=true visibility="catalog"`,
		"CU100":     `active=true visibility=""`,
	}
	check := func(stage string) {
		t.Helper()
		for id, w := range want {
			p, err := db.ProductByExternalID(context.Background(), id)
			must(t, err)
			if got := fmt.Sprintf("active=%v visibility=%q", p.Active, p.Visibility); got != w {
				t.Errorf("%s: %s: %s, want %s", stage, id, got, w)
			}
		}
	}
	check("first import")
	if sum.Hidden != 1 || sum.ProductsInactive != 0 || !strings.Contains(sum.ListsLine(), `1 product is "Not Visible Individually" and an option of no configurable product`) {
		t.Errorf("summary: %d hidden, %d inactive, %q", sum.Hidden, sum.ProductsInactive, sum.ListsLine())
	}

	// The shop's own format, without the column, keeps what is stored.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\nGIFT-1,Gift Card Sleeve,,Living/Throws,Hearth,3,40,\nBED-1,Tasselled Bedspread,,Living/Throws,Hearth,250,4,\n", "")
	check("a file without the column")

	bad := "id,title,description,category,brand,price,stock,created_at,visibility\n" +
		"CU100,Linen Cushion,,Living/Throws,Casa,29,5,,Catalog\n" +
		"CU200,Wool Cushion,,Living/Throws,Casa,39,5,,Everywhere\n"
	_, err := Import(context.Background(), db, writeFile(t, "products.csv", bad), "", nil)
	if err == nil || !strings.Contains(err.Error(), `products.csv:3: field visibility: "Everywhere" is not a visibility`) {
		t.Fatalf("a bad visibility: %v", err)
	}
	if _, err := db.ProductByExternalID(context.Background(), "CU200"); err == nil {
		t.Error("a refused file wrote its products")
	}
}

// TestImportReadsACreatedAtWithoutAnOffsetAsUTC: Magento's export writes a
// product's created_at as "2024-03-01 10:00:00", with no UTC offset. A
// product's date is what "new arrivals" read, so the import takes that
// time as UTC instead of refusing the whole file.
func TestImportReadsACreatedAtWithoutAnOffsetAsUTC(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"M1,Chunky Knit Throw,,Living > Throws,Hearth,43.00,5,2024-03-01 10:00:00\n"+
		"M2,Linen Cushion,,Living > Cushions,Hearth,21.00,5,2024-03-02T18:30:15\n"+
		"M3,Wool Rug,,Living > Rugs,Hearth,121.00,5,2024-03-03\n", "")
	for id, want := range map[string]time.Time{
		"M1": time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC),
		"M2": time.Date(2024, 3, 2, 18, 30, 15, 0, time.UTC),
		"M3": time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC),
	} {
		p, err := db.ProductByExternalID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !p.CreatedAt.Equal(want) {
			t.Errorf("%s created %v, want %v", id, p.CreatedAt.UTC(), want)
		}
	}
}

// storedEvent is an event as the database holds it.
type storedEvent struct {
	at  time.Time
	typ string
}

// importEvents imports events beside goodProducts, checks that the import
// counted n events and the database holds n, and returns them.
func importEvents(t *testing.T, db *models.DB, events string, n int) ([]storedEvent, *ImportSummary) {
	t.Helper()
	sum := mustImport(t, db, goodProducts, events)
	if sum.Events != n {
		t.Fatalf("import = %+v, want %d events", sum, n)
	}
	var stored []storedEvent
	if err := db.ScanInteractions(context.Background(), func(r *models.InteractionRow) error {
		stored = append(stored, storedEvent{at: r.CreatedAt, typ: string(r.Type)})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(stored) != n {
		t.Fatalf("%d events stored, want %d", len(stored), n)
	}
	return stored, sum
}

// A catalog re-imported with its categories renamed and merged left the
// homepage the first import published on categories without products:
// its hero "Discover Pots" led to a page that answered "Page not found".
// The system's own homepage, unedited, is rebuilt from the new categories;
// one staff have edited is theirs, and the import names its stale rows.
func TestAReimportThatRenamesCategoriesRebuildsTheDefaultHomepage(t *testing.T) {
	const before = "id,title,description,category,brand,price,stock,created_at\n" +
		"K1,Iron Pot,,Pots,Forge,30,5,\nK2,Steel Pot,,Pots,Forge,40,5,\nK3,Clay Pot,,Pots,Forge,20,5,\n" +
		"K4,Tall Mug,,Mugs,Forge,9,5,\nK5,Wide Mug,,Mugs,Forge,8,5,\n"
	const after = "id,title,description,category,brand,price,stock,created_at\n" +
		"K1,Iron Pot,,Kitchen > Cookware,Forge,30,5,\nK2,Steel Pot,,Kitchen > Cookware,Forge,40,5,\nK3,Clay Pot,,Kitchen > Cookware,Forge,20,5,\n" +
		"K4,Tall Mug,,Dining > Drinkware,Forge,9,5,\nK5,Wide Mug,,Dining > Drinkware,Forge,8,5,\n"
	ctx := context.Background()
	t.Run("the system's homepage", func(t *testing.T) {
		db := openDB(t)
		mustImport(t, db, before, "")
		slots, _, err := db.PublishedLayout(ctx, models.HomePage)
		if err != nil || slots[0].Link != "/c/pots" {
			t.Fatalf("first import's hero links %q (%v), want /c/pots", slots[0].Link, err)
		}
		sum := mustImport(t, db, after, "")
		if !sum.HomepageRebuilt || !reflect.DeepEqual(sum.HomepageStale, []string{"Discover Pots"}) {
			t.Fatalf("rebuilt %v, stale rows %q; want the hero \"Discover Pots\" rebuilt", sum.HomepageRebuilt, sum.HomepageStale)
		}
		slots, v, err := db.PublishedLayout(ctx, models.HomePage)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != 2 || v.Author != models.SystemActor || slots[0].Link != "/c/kitchen" || slots[0].Title != "Discover Kitchen" {
			t.Fatalf("published version %d by %q, hero %q → %q; want version 2 by system leading to /c/kitchen", v.Number, v.Author, slots[0].Title, slots[0].Link)
		}
		draft, _, err := db.DraftSlots(ctx, models.HomePage)
		if err != nil || len(draft) != len(slots) || draft[0].Link != "/c/kitchen" {
			t.Fatalf("the draft holds %d slots (%v), want the rebuilt %d", len(draft), err, len(slots))
		}
		if again := mustImport(t, db, after, ""); again.HomepageRebuilt || again.HomepageStale != nil {
			t.Errorf("the same file again rebuilt %v, stale %q; want nothing", again.HomepageRebuilt, again.HomepageStale)
		}
	})
	t.Run("a homepage staff edited", func(t *testing.T) {
		db := openDB(t)
		mustImport(t, db, before, "")
		draft, rev, err := db.DraftSlots(ctx, models.HomePage)
		if err != nil {
			t.Fatal(err)
		}
		hero := draft[0]
		hero.Title = "Our pots"
		if err := db.SaveSlot(ctx, models.HomePage, rev, "ann@example.com", &hero); err != nil {
			t.Fatal(err)
		}
		sum := mustImport(t, db, after, "")
		if sum.HomepageRebuilt || !reflect.DeepEqual(sum.HomepageStale, []string{"Our pots"}) {
			t.Fatalf("rebuilt %v, stale rows %q; want the staff's homepage kept and \"Our pots\" named", sum.HomepageRebuilt, sum.HomepageStale)
		}
		if l := sum.HomepageLine(); !strings.Contains(l, `"Our pots"`) || !strings.Contains(l, "edit it") {
			t.Errorf("summary line %q, want the row named and an edit asked for", l)
		}
		_, v, err := db.PublishedLayout(ctx, models.HomePage)
		if err != nil || v.Number != 1 {
			t.Fatalf("published version %+v (%v), want the first still", v, err)
		}
		draft, _, _ = db.DraftSlots(ctx, models.HomePage)
		if draft[0].Title != "Our pots" {
			t.Errorf("the staff's draft hero is %q now", draft[0].Title)
		}
	})
}

// A shop whose export lists a product's categories and tags in one cell
// separated by bars ("Pans|Gifts|Sale", in any order; "Clothing > Tees|Music"
// as WooCommerce's product export plugins write it) got a category for
// every combination: 889 departments from 25 (an outside check's
// 2,500-product shop), the navigation led by "Lamps|Bestsellers" and
// "Gifts|Under $25|Lamps|Bestsellers", and each department's page held only
// the products whose cell named it alone (47 of 100 pans). Now such a cell is a list: the product goes under
// the deepest category it names, and of those as deep the one listed beside
// the fewest others ("Pans", not the "Gifts" tag every department carries).
// A file whose bars always come in one order, naming no path, keeps them in
// the name.
func TestImportReadsCategoriesListedWithBars(t *testing.T) {
	db := openDB(t)
	rows := "id,title,description,category,brand,price,stock,created_at\n"
	n := 0
	for _, cell := range []string{"Pans|Gifts", "Sale|Pans", "Pans", "Gifts|Sale|Mugs", "Mugs|New in", "Mugs",
		"Lamps|Gifts|Sale", "New in|Lamps", "Gifts|Bowls", "Bowls|Sale", "Music|Clothing > Tees", "Music|Sale"} {
		n++
		rows += fmt.Sprintf("B%d,Item %d,,%s,Hazel,19,4,\n", n, n, cell)
	}
	sum := mustImport(t, db, rows, "")
	got := map[string]string{}
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("B%d", i)
		got[id] = categoryPath(t, db, id)
	}
	want := map[string]string{
		"B1": "Pans", "B2": "Pans", "B3": "Pans", "B4": "Mugs", "B5": "Mugs", "B6": "Mugs",
		"B7": "Lamps", "B8": "Lamps", "B9": "Bowls", "B10": "Bowls", "B11": "Clothing > Tees", "B12": "Music",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("categories\n%v\nwant\n%v", got, want)
	}
	var bars int64
	must(t, db.R.Model(&models.Category{}).Where("name LIKE ?", "%|%").Count(&bars).Error)
	if bars != 0 || sum.CategoryLists != 10 || !strings.Contains(sum.ListsLine(), "10 products listed several categories") {
		t.Fatalf("%d categories named after a list; summary %d category lists: %q", bars, sum.CategoryLists, sum.ListsLine())
	}

	// Bars in one order throughout, without a path after one: part of the
	// name.
	mustImport(t, db, "id,title,description,category,brand,price,stock,created_at\n"+
		"R1,Rain Jacket,,Outerwear|Rain,Hazel,99,2,\n"+
		"R2,Rain Boots,,Footwear|Rain,Hazel,59,2,\n"+
		"A1,Amplifier,,Audio > Hi-Fi | Stereo,Hazel,299,2,\n", "")
	if got := categoryPath(t, db, "R1") + "; " + categoryPath(t, db, "A1"); got != "Outerwear|Rain; Audio > Hi-Fi | Stereo" {
		t.Fatalf("R1; A1 are in %q, want \"Outerwear|Rain; Audio > Hi-Fi | Stereo\"", got)
	}
}
