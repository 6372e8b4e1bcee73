package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"storefront/models"
	"storefront/recommender"
	"storefront/seed"
	"storefront/shop"
)

// TestImportTrainRecommendEval runs the data commands the way an external
// tool does, on a fresh database, and checks their output contracts.
func TestImportTrainRecommendEval(t *testing.T) {
	dir := t.TempDir()
	db, drop, err := models.ScratchTarget(dir, "shop.db")
	mustDo(t, err)
	defer drop()
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range 30 {
		cat := []string{"Outdoor > Tents", "Kitchen > Knives", "Books"}[i%3]
		fmt.Fprintf(&products, "P%02d,Item %d,\"A fine item, number %d\",%s,Brand%d,%d.99,50,2026-01-01T00:00:00Z\n", i, i, i, cat, i%4, 10+i)
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	start := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for u := range 60 {
		group := u % 3 // each user likes one category
		for k := range 6 {
			item := (group + 3*((u+k)%10)) % 30
			typ := []string{"view", "click", "add_to_cart", "purchase", "view", "view"}[k]
			fmt.Fprintf(&events, "user%02d,P%02d,%s,%s\n", u, item, typ, start.Add(time.Duration(n)*time.Minute).Format(time.RFC3339))
			n++
		}
	}
	if out := importCSV(t, db, dir, products.String(), events.String()); !strings.Contains(out, "30 products created") || !strings.Contains(out, fmt.Sprintf("%d events", n)) {
		t.Fatalf("import said %q", out)
	}
	if out := runOK(t, "train", "--db", db); !strings.Contains(out, "trained model") {
		t.Fatalf("train said %q", out)
	}

	users := filepath.Join(dir, "users.txt")
	mustDo(t, os.WriteFile(users, []byte("user07\nnobody-new\nuser01\n"), 0o644))
	out := runOK(t, "recommend", "--db", db, "--users-file", users, "--n", "5", "--format", "jsonl")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("recommend printed %d lines for 3 users:\n%s", len(lines), out)
	}
	type item struct {
		ItemID string  `json:"item_id"`
		Score  float64 `json:"score"`
		Reason string  `json:"reason"`
	}
	type line struct {
		UserID           string `json:"user_id"`
		RecommendedItems []item `json:"recommended_items"`
	}
	seen := map[string]map[string]bool{}
	for _, row := range strings.Split(events.String(), "\n")[1:] {
		if f := strings.Split(row, ","); len(f) == 4 {
			if seen[f[0]] == nil {
				seen[f[0]] = map[string]bool{}
			}
			seen[f[0]][f[1]] = true
		}
	}
	for i, want := range []string{"user07", "nobody-new", "user01"} {
		var got line
		dec := json.NewDecoder(strings.NewReader(lines[i]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d is not the contract shape: %v\n%s", i+1, err, lines[i])
		}
		if got.UserID != want {
			t.Fatalf("line %d is for %q, want %q (input order)", i+1, got.UserID, want)
		}
		if len(got.RecommendedItems) != 5 {
			t.Fatalf("%s got %d items, want 5", want, len(got.RecommendedItems))
		}
		for _, it := range got.RecommendedItems {
			if seen[want][it.ItemID] {
				t.Fatalf("%s was recommended %s, which they already interacted with", want, it.ItemID)
			}
			if it.Reason == "" || !strings.HasPrefix(it.ItemID, "P") {
				t.Fatalf("%s: item %+v lacks an external id or a reason", want, it)
			}
		}
	}

	var res struct {
		K      int `json:"k"`
		Models []struct {
			Model string  `json:"model"`
			NDCG  float64 `json:"ndcg"`
			Users int     `json:"users"`
		} `json:"models"`
		Ablation []struct {
			Variant string  `json:"variant"`
			NDCG    float64 `json:"ndcg"`
		} `json:"ablation"`
	}
	mustDo(t, json.Unmarshal([]byte(runOK(t, "eval", "--db", db, "--k", "5", "--format", "json")), &res))
	var names []string
	for _, m := range res.Models {
		names = append(names, m.Model)
	}
	if res.K != 5 || len(res.Models) == 0 || res.Models[0].Model != "popular" || !reflect.DeepEqual(names[len(names)-1:], []string{"hybrid"}) {
		t.Fatalf("eval json: k=%d models %v; want the popularity baseline first and the hybrid last", res.K, names)
	}
	if len(res.Ablation) < 2 || !strings.HasPrefix(res.Ablation[0].Variant, "hybrid as trained") || !strings.HasPrefix(res.Ablation[len(res.Ablation)-1].Variant, "blend without") {
		t.Fatalf("eval json: ablation %+v; want the hybrid as trained first, then the blend without each part", res.Ablation)
	}
	if table := runOK(t, "eval", "--db", db, "--k", "5"); !strings.Contains(table, "NDCG@5") || !strings.Contains(table, "hybrid") || !strings.Contains(table, "ablation of the hybrid") {
		t.Fatalf("eval table:\n%s", table)
	}
}

// TestRecommendNeverReturnsRawHistory checks exclusion against the raw event
// store: a crawler-like user whose events the training's cleaning drops is
// unknown to the model, and still never gets back what they viewed.
func TestRecommendNeverReturnsRawHistory(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range 40 {
		fmt.Fprintf(&products, "P%02d,Item %d,An item,Cat%d,Brand,%d.50,10,2026-01-01T00:00:00Z\n", i, i, i%4, 5+i)
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	at := start
	for u := range 40 {
		for k := range 5 {
			typ := []string{"view", "view", "click", "add_to_cart", "purchase"}[k]
			fmt.Fprintf(&events, "shopper%02d,P%02d,%s,%s\n", u, (u+7*k)%40, typ, at.Format(time.RFC3339))
			at = at.Add(17 * time.Minute)
		}
	}
	// A crawler: thousands of views of the 20 most popular-looking items in
	// a few minutes, never a cart.
	crawled := map[string]bool{}
	for k := range 4000 {
		id := fmt.Sprintf("P%02d", k%20)
		crawled[id] = true
		fmt.Fprintf(&events, "crawler,%s,view,%s\n", id, start.Add(time.Duration(k)*100*time.Millisecond).Format(time.RFC3339Nano))
	}
	importCSV(t, db, dir, products.String(), events.String())
	if out := runOK(t, "train", "--db", db); !strings.Contains(out, "1 bot/outlier user") && !strings.Contains(out, "1 user") {
		t.Fatalf("train did not report dropping the crawler:\n%s", out)
	}
	var line struct {
		Items []struct {
			ItemID string `json:"item_id"`
		} `json:"recommended_items"`
	}
	mustDo(t, json.Unmarshal([]byte(runOK(t, "recommend", "--db", db, "--user", "crawler", "--n", "15")), &line))
	if len(line.Items) != 15 {
		t.Fatalf("crawler got %d items, want 15", len(line.Items))
	}
	for _, it := range line.Items {
		if crawled[it.ItemID] {
			t.Fatalf("crawler was recommended %s, which they viewed (their events were dropped from training, not from their history)", it.ItemID)
		}
	}
}

// TestCoarseTimestampsTrainWithoutDroppingAnyone: an events file whose
// timestamps are all equal, or all fall in one day, goes through import →
// train with the defaults without dropping users, and train says what it
// assumed about the clock.
func TestCoarseTimestampsTrainWithoutDroppingAnyone(t *testing.T) {
	day := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	for name, stamp := range map[string]func(n int) time.Time{
		"all equal": func(int) time.Time { return day },
		"one day":   func(n int) time.Time { return day.Add(time.Duration(n%86400) * time.Second) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "shop.db")
			var products, events strings.Builder
			products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
			for i := range 60 {
				fmt.Fprintf(&products, "P%02d,Item %d,An item,Cat%d,Brand%d,%d.50,10,2026-01-01T00:00:00Z\n", i, i, i%5, i%3, 5+i)
			}
			events.WriteString("user_id,product_id,type,timestamp\n")
			n := 0
			add := func(user string, item int, typ string) {
				fmt.Fprintf(&events, "%s,P%02d,%s,%s\n", user, item%60, typ, stamp(n).Format(time.RFC3339))
				n++
			}
			const shoppers = 80
			for u := range shoppers {
				for k := range 8 {
					add(fmt.Sprintf("shopper%02d", u), (u%5)+5*((u+k)%12), []string{"view", "view", "click", "add_to_cart", "view", "purchase", "view", "click"}[k])
				}
			}
			// A history imported in one go: thousands of views, no cart.
			for k := range 3000 {
				add("importer", k, "view")
			}
			pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
			mustDo(t, os.WriteFile(pf, []byte(products.String()), 0o644))
			mustDo(t, os.WriteFile(ef, []byte(events.String()), 0o644))
			var out, errb bytes.Buffer
			if err := run([]string{"import", "--db", db, "--products", pf, "--events", ef}, &out, &errb); err != nil {
				t.Fatalf("import: %v\n%s", err, errb.String())
			}
			out.Reset()
			if err := run([]string{"train", "--db", db}, &out, &errb); err != nil {
				t.Fatalf("train: %v\n%s", err, errb.String())
			}
			got := out.String()
			if !strings.Contains(got, fmt.Sprintf(": %d users,", shoppers+1)) || !strings.Contains(got, "dropped 0 events of 0 bot/outlier users") {
				t.Fatalf("train dropped users of a coarse clock:\n%s", got)
			}
			if !strings.Contains(got, "assumed") {
				t.Fatalf("train does not say what it assumed about the clock:\n%s", got)
			}
		})
	}
}

// TestTuneBudgetFlag: --tune-budget takes auto, 0 or a duration, and says
// what it wants otherwise.
func TestTuneBudgetFlag(t *testing.T) {
	for in, want := range map[string]time.Duration{"auto": 0, "0": -1, "0s": -1, "20s": 20 * time.Second} {
		var f tuneBudgetFlag
		if err := f.Set(in); err != nil || f.config() != want {
			t.Errorf("--tune-budget %s: %v, %v; want %v", in, f.config(), err, want)
		}
	}
	for _, in := range []string{"soon", "-5s", "3h"} {
		var f tuneBudgetFlag
		if err := f.Set(in); err == nil {
			t.Errorf("--tune-budget %s accepted", in)
		}
	}
	var out, errb bytes.Buffer
	err := run([]string{"train", "--db", filepath.Join(t.TempDir(), "x.db"), "--tune-budget", "soon"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error()+errb.String(), "want auto, 0 or a duration") {
		t.Fatalf("train --tune-budget soon: %v\n%s", err, errb.String())
	}
}

// recommend serves the lists the trained model ranks for its shoppers:
// in a daily export every shopper of the last day has events at the data's
// last instant, and those were trained on, not new events to fold in again.
func TestRecommendServesTheTrainedListsOfADailyExport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range 40 {
		fmt.Fprintf(&products, "P%02d,Item %d,An item,Cat%d,Brand%d,%d.50,10,2026-01-01T00:00:00Z\n", i, i, i%4, i%3, 5+i)
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for u := range 60 {
		for k := range 6 {
			typ := []string{"view", "view", "click", "view", "add_to_cart", "purchase"}[k]
			day := start.AddDate(0, 0, (u+k)%5) // the last day, 2026-03-05, holds events of most shoppers
			fmt.Fprintf(&events, "shopper%02d,P%02d,%s,%s\n", u, (u*3+5*k)%40, typ, day.Format(time.RFC3339))
		}
	}
	importCSV(t, db, dir, products.String(), events.String())
	runOK(t, "train", "--db", db, "--tune-budget", "0")
	store, err := models.Open(db)
	mustDo(t, err)
	m, _, err := shop.LoadStoredModel(context.Background(), store)
	mustDo(t, err)
	checked := 0
	for u := range 60 {
		user := fmt.Sprintf("shopper%02d", u)
		seen, err := store.UserItems(context.Background(), user)
		mustDo(t, err)
		recent, err := shop.RecentEvents(context.Background(), store, m, user)
		mustDo(t, err)
		if len(recent) > 0 {
			t.Fatalf("%s: %d events of the trained data returned as new", user, len(recent))
		}
		var want []string
		for _, r := range m.Recommend(recommender.Request{User: user, N: 10, Strategy: recommender.Hybrid, ExcludeSeen: true, Seen: seen}) {
			want = append(want, r.ItemID)
		}
		var line struct {
			Items []struct {
				ItemID string `json:"item_id"`
			} `json:"recommended_items"`
		}
		mustDo(t, json.Unmarshal([]byte(runOK(t, "recommend", "--db", db, "--user", user)), &line))
		var got []string
		for _, it := range line.Items {
			got = append(got, it.ItemID)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: recommend gave %v, the trained model ranks %v", user, got, want)
		}
		checked++
	}
	store.Close()
	if checked != 60 {
		t.Fatalf("checked %d shoppers", checked)
	}
}

// importCSV writes products and events as the files of a shop's export in
// dir and imports both into db; it returns what import printed.
func importCSV(t *testing.T, db, dir, products, events string) string {
	t.Helper()
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte(products), 0o644))
	mustDo(t, os.WriteFile(ef, []byte(events), 0o644))
	return runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
}

// runOK runs a storefront command and returns what it printed; a failure
// ends the test with the command's error output.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(args, &out, &errb); err != nil {
		t.Fatalf("storefront %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// TestImportSaysOnlyWhatItImported: a products-only import reports the
// products, not "0 events … (0 events/s)"; an events-only one the events.
func TestImportSaysOnlyWhatItImported(t *testing.T) {
	dir := t.TempDir()
	db, drop, err := models.ScratchTarget(dir, "shop.db")
	mustDo(t, err)
	defer drop()
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Oat Milk,Oat drink,Dairy,Oatly,2.49,40,2026-01-01T00:00:00Z\nP2,Rye Bread,Sour rye,Bakery,Fazer,3.10,12,2026-01-01T00:00:00Z\n"), 0o644))
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\nu1,P1,view,2026-02-01T10:00:00Z\nu1,P2,purchase,2026-02-01T10:05:00Z\n"), 0o644))
	out := runOK(t, "import", "--db", db, "--products", pf)
	if !strings.Contains(out, "imported: 2 products created, 0 updated, 2 categories created in ") || strings.Contains(out, "event") {
		t.Errorf("a products-only import said %q", out)
	}
	// One product is one ("1 products created" before).
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP3,Spelt Loaf,,Bakery > Loaves,Fazer,3.50,8,\n"), 0o644))
	if out := runOK(t, "import", "--db", db, "--products", pf); !strings.Contains(out, "imported: 1 product created, 0 updated, 1 category created in ") {
		t.Errorf("an import of one product said %q", out)
	}
	out = runOK(t, "import", "--db", db, "--events", ef)
	if !strings.Contains(out, "imported: 2 events in ") || !strings.Contains(out, "events/s") || strings.Contains(out, "products") {
		t.Errorf("an events-only import said %q", out)
	}
}

// TestRecommendReadsAUserIdAsTheImportDid: the import trims the spaces
// around an id, and so does the users file; `recommend --user` with the id
// as written in the imported file is the same shopper, never a stranger
// whose cold-start list holds what the shopper already viewed.
func TestRecommendReadsAUserIdAsTheImportDid(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	var products, events strings.Builder
	products.WriteString("id,title,description,category,brand,price,stock,created_at\n")
	for i := range 12 {
		fmt.Fprintf(&products, " P%02d ,Item %d,An item,Cat%d,Brand,%d.50,10,2026-01-01T00:00:00Z\n", i, i, i%3, 5+i)
	}
	events.WriteString("user_id,product_id,type,timestamp\n")
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for u := range 20 {
		// P00 is everyone's product: the first of any popularity list.
		for _, p := range []int{0, 1 + u%11} {
			fmt.Fprintf(&events, "shopper%02d,P%02d,purchase,%s\n", u, p, at.Format(time.RFC3339))
			at = at.Add(time.Hour)
		}
	}
	fmt.Fprintf(&events, " padded shopper , P00 ,view,%s\n", at.Format(time.RFC3339))
	importCSV(t, db, dir, products.String(), events.String())
	runOK(t, "train", "--db", db)
	users := filepath.Join(dir, "users.txt")
	mustDo(t, os.WriteFile(users, []byte(" padded shopper \n"), 0o644))
	fromFile := runOK(t, "recommend", "--db", db, "--users-file", users, "--n", "11")
	fromFlag := runOK(t, "recommend", "--db", db, "--user", " padded shopper ", "--n", "11")
	var line struct {
		UserID string `json:"user_id"`
		Items  []struct {
			ItemID string `json:"item_id"`
		} `json:"recommended_items"`
	}
	mustDo(t, json.Unmarshal([]byte(fromFlag), &line))
	if line.UserID != "padded shopper" {
		t.Errorf("user_id %q, want the id as imported, %q", line.UserID, "padded shopper")
	}
	if len(line.Items) != 11 {
		t.Errorf("%d items, want 11", len(line.Items))
	}
	for _, it := range line.Items {
		if it.ItemID == "P00" {
			t.Errorf("--user %q was recommended P00, which the imported shopper viewed:\n%s", " padded shopper ", fromFlag)
		}
	}
	if fromFlag != fromFile {
		t.Errorf("--user and --users-file answer the same id differently:\n%s\n%s", fromFlag, fromFile)
	}
}

// TestRecommendAnswersTheImportedCustomerOfAFileId: an events file's
// customer whose user_id an account registered here already has is kept
// under "<id>~imported". The import lists every such customer, and
// recommend asked for the file's id (the external id DESIGN.md's contract
// takes) answers for that imported customer, under the id it was asked for,
// and says so on stderr — not for the registered account, and not by
// refusing: every requested user is answered.
func TestRecommendAnswersTheImportedCustomerOfAFileId(t *testing.T) {
	dir := t.TempDir()
	target, drop, err := models.ScratchTarget(dir, "shop.db")
	mustDo(t, err)
	defer drop()
	db, err := models.Open(target)
	mustDo(t, err)
	ada, err := db.CreateShopper(context.Background(), "Ada", "ada@example.com", "correct horse battery staple 7")
	mustDo(t, err)
	db.Close()
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Oat Milk,Oat drink,Dairy,Oatly,2.49,40,2026-01-01T00:00:00Z\nP2,Rye Bread,Sour rye,Bakery,Fazer,3.10,12,2026-01-01T00:00:00Z\n"), 0o644))
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\n"+
		ada.ExternalID+",P1,view,2026-02-01T10:00:00Z\nzoe,P2,view,2026-02-01T10:05:00Z\n"), 0o644))
	renamed := ada.ExternalID + "~imported"
	if out := runOK(t, "import", "--db", target, "--products", pf, "--events", ef); !strings.Contains(out, "\n  "+ada.ExternalID+" → "+renamed+"\n") {
		t.Fatalf("the import does not list %s as %s:\n%s", ada.ExternalID, renamed, out)
	}
	type answer struct {
		UserID string `json:"user_id"`
		Items  []struct {
			ItemID string `json:"item_id"`
		} `json:"recommended_items"`
	}
	// The imported customer viewed P1: answered for them, P1 is left out;
	// answered for the registered account (a stranger), it would lead.
	check := func(what string, a answer) {
		t.Helper()
		if a.UserID != ada.ExternalID || len(a.Items) == 0 {
			t.Fatalf("%s: answered %+v, want a list under %s", what, a, ada.ExternalID)
		}
		for _, it := range a.Items {
			if it.ItemID == "P1" {
				t.Fatalf("%s: recommended P1, which the customer the file calls %s viewed: answered for the registered account", what, ada.ExternalID)
			}
		}
	}
	var out, errb bytes.Buffer
	mustDo(t, run([]string{"recommend", "--db", target, "--user", ada.ExternalID}, &out, &errb))
	var a answer
	mustDo(t, json.Unmarshal(out.Bytes(), &a))
	check("recommend --user", a)
	if !strings.Contains(errb.String(), renamed) {
		t.Fatalf("recommend --user %s said nothing of %s on stderr: %q", ada.ExternalID, renamed, errb.String())
	}
	users := filepath.Join(dir, "users.txt")
	mustDo(t, os.WriteFile(users, []byte("zoe\n\n"+ada.ExternalID+"\n"), 0o644))
	out.Reset()
	errb.Reset()
	mustDo(t, run([]string{"recommend", "--db", target, "--users-file", users}, &out, &errb))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("recommend --users-file printed %d lines, want 2 (zoe, %s):\n%s", len(lines), ada.ExternalID, out.String())
	}
	mustDo(t, json.Unmarshal([]byte(lines[1]), &a))
	check("recommend --users-file", a)
	if !strings.Contains(errb.String(), users+":3: ") {
		t.Fatalf("stderr does not name %s:3: %q", users, errb.String())
	}
	var line struct {
		UserID string `json:"user_id"`
	}
	mustDo(t, json.Unmarshal([]byte(runOK(t, "recommend", "--db", target, "--user", renamed)), &line))
	if line.UserID != renamed {
		t.Fatalf("recommend --user %s answered for %q", renamed, line.UserID)
	}
}

// TestRecommendUsersFileOfAnyLineEnding: a users file whose lines end with
// a newline, a carriage return and newline, or a carriage return alone (a
// spreadsheet's "CSV (Macintosh)") answers every user, in input order.
func TestRecommendUsersFileOfAnyLineEnding(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	importCSV(t, db, dir, "id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,,99.00,5,\nP2,Stove,,Outdoor,,45.00,5,\nP3,Mug,,Kitchen,,5.00,5,\n", "user_id,product_id,type,timestamp\nann,P1,purchase,2026-03-01T10:00:00Z\nbob,P2,view,2026-03-01T11:00:00Z\n")
	for name, eol := range map[string]string{"newline": "\n", "carriage return and newline": "\r\n", "carriage return": "\r", "mixed": "\r\n\r"} {
		users := filepath.Join(dir, "users.txt")
		mustDo(t, os.WriteFile(users, []byte(strings.Join([]string{"ann", "nobody", "bob", "ann"}, eol)+eol), 0o644))
		out := runOK(t, "recommend", "--db", db, "--users-file", users, "--n", "2")
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var line struct {
				UserID string `json:"user_id"`
			}
			mustDo(t, json.Unmarshal([]byte(l), &line))
			got = append(got, line.UserID)
		}
		if want := []string{"ann", "nobody", "bob", "ann"}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answered %q, want %q", name, got, want)
		}
	}
}

// TestRecommendUsersFileInUTF16: a users file saved as UTF-16 with its byte
// order mark (Windows PowerShell's `>`) answers its users by their ids: each
// was a stranger named with NUL bytes, and got what they had bought.
func TestRecommendUsersFileInUTF16(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	importCSV(t, db, dir, "id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,,99.00,5,\nP2,Stove,,Outdoor,,45.00,5,\nP3,Mug,,Kitchen,,5.00,5,\n", "user_id,product_id,type,timestamp\nann,P1,purchase,2026-03-01T10:00:00Z\nbob,P1,view,2026-03-01T11:00:00Z\ncid,P1,view,2026-03-01T12:00:00Z\n")
	users := filepath.Join(dir, "users.txt")
	var b []byte
	for _, u := range utf16.Encode([]rune("\ufeffann\r\nnobody\r\nbob\r\n")) {
		b = append(b, byte(u), byte(u>>8))
	}
	mustDo(t, os.WriteFile(users, b, 0o644))
	out := runOK(t, "recommend", "--db", db, "--users-file", users, "--n", "3")
	var got []string
	for _, line := range recommendLines(t, out) {
		got = append(got, line.UserID)
		if slices.Contains(line.itemIDs(), "P1") && line.UserID != "nobody" {
			t.Errorf("%q was recommended P1, which they had:\n%s", line.UserID, out)
		}
	}
	if want := []string{"ann", "nobody", "bob"}; !reflect.DeepEqual(got, want) {
		t.Errorf("answered %q, want %q", got, want)
	}
}

// Every command's --help says what the command does, lists its flags on
// standard output and is no error (it printed only the flags and ended
// with "storefront: flag: help requested" and exit status 1); a wrong
// flag is still an error.
func TestEveryCommandsHelpSaysWhatItDoes(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"serve", "--help"}, {"seed", "-h"}, {"import", "--help"}, {"train", "--help"}, {"recommend", "--help"},
		{"eval", "--help"}, {"backup", "--help"}, {"migrate", "--help"}, {"migrate-data", "--help"}, {"staff", "--help"}, {"staff", "add", "--help"}} {
		var out, errb bytes.Buffer
		if err := run(args, &out, &errb); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.HasPrefix(out.String(), "storefront "+args[0]+" — ") || !strings.Contains(out.String(), "-db") || len(strings.SplitN(out.String(), "\n", 2)[0]) < 50 {
			t.Errorf("%v printed %q (stderr %q), want what it does and its flags", args, out.String(), errb.String())
		}
	}
	if out := func() string {
		var o, e bytes.Buffer
		run([]string{"staff", "add", "--help"}, &o, &e)
		return o.String()
	}(); !strings.Contains(out, "-password-stdin") {
		t.Errorf("staff add --help lists no --password-stdin: %q", out)
	}
	if out := func() string {
		var o, e bytes.Buffer
		run([]string{"migrate-data", "--help"}, &o, &e)
		return o.String()
	}(); !strings.Contains(out, "not read by migrate-data") {
		t.Errorf("migrate-data --help offers --db as if it chose a database: %q", out)
	}
	var out, errb bytes.Buffer
	if err := run([]string{"serve", "--no-such-flag"}, &out, &errb); err == nil || !strings.Contains(errb.String(), "storefront serve — ") || out.Len() > 0 {
		t.Errorf("a wrong flag: %v, stdout %q, stderr %q", err, out.String(), errb.String())
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		t.Errorf("--help created %s", e.Name())
	}
}

// A word left over after the flags is refused: the flag package stops at
// it, so `recommend --user a b --n 5` answered a alone with 10 items and
// `train shop.db` trained data/storefront.db, with exit status 0 and no
// word of the flags it had not read.
func TestALeftOverArgumentIsAnError(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"train", "shop.db"},
		{"recommend", "--db", "shop.db", "--user", "a", "b", "--n", "5"},
		{"import", "--db", "shop.db", "products.csv", "--events", "events.csv"},
		{"eval", "--db", "shop.db", "json"},
		{"staff", "list", "--db", "shop.db", "extra"},
	} {
		var out, errb bytes.Buffer
		err := run(args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "unexpected argument") || out.Len() > 0 {
			t.Errorf("%q: err %v, stdout %q", args, err, out.String())
		}
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		t.Errorf("a refused command created %s", e.Name())
	}
	if _, err := os.Stat("data"); err == nil {
		t.Error("a refused command created data/")
	}
}

// recommend reads the catalog as it is now, as the API does: a product
// sold out or deactivated by an import after `train` is not recommended
// (it was, until the next train).
func TestRecommendLeavesOutWhatIsNoLongerSold(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	products := func(stock func(i int) int, skip int) string {
		var b strings.Builder
		b.WriteString("id,title,description,category,brand,price,stock,created_at\n")
		for i := range 30 {
			if i != skip {
				fmt.Fprintf(&b, "P%02d,Item %d,An item,Cat%d,Brand,%d.50,%d,2026-01-01T00:00:00Z\n", i, i, i%3, 5+i, stock(i))
			}
		}
		return b.String()
	}
	var events strings.Builder
	events.WriteString("user_id,product_id,type,timestamp\n")
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for u := range 60 {
		for k := range 4 {
			fmt.Fprintf(&events, "shopper%02d,P%02d,view,%s\n", u, (u+k*k)%30, at.Format(time.RFC3339))
			at = at.Add(11 * time.Minute)
		}
	}
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte(products(func(int) int { return 10 }, -1)), 0o644))
	mustDo(t, os.WriteFile(ef, []byte(events.String()), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
	runOK(t, "train", "--db", db)
	items := func() []string {
		var line struct {
			Items []struct {
				ItemID string `json:"item_id"`
			} `json:"recommended_items"`
		}
		mustDo(t, json.Unmarshal([]byte(runOK(t, "recommend", "--db", db, "--user", "shopper07", "--n", "4")), &line))
		var ids []string
		for _, it := range line.Items {
			ids = append(ids, it.ItemID)
		}
		return ids
	}
	before := items()
	if len(before) != 4 {
		t.Fatalf("recommended %q, want 4 items", before)
	}
	// The first is sold out, the second no longer in the catalog.
	var soldOut, gone int
	fmt.Sscanf(before[0], "P%d", &soldOut)
	fmt.Sscanf(before[1], "P%d", &gone)
	mustDo(t, os.WriteFile(pf, []byte(products(func(i int) int {
		if i == soldOut {
			return 0
		}
		return 10
	}, gone)), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--deactivate-missing")
	after := items()
	if len(after) != 4 || slices.Contains(after, before[0]) || slices.Contains(after, before[1]) {
		t.Errorf("after %s sold out and %s left the catalog, recommended %q (before: %q)", before[0], before[1], after, before)
	}
}

// train on a database without products is an error and stores nothing: the
// empty model it stored answered every user with an empty list once
// products were imported, until the next train.
func TestTrainRefusesAShopWithoutProducts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	var out, errb bytes.Buffer
	if err := run([]string{"train", "--db", db}, &out, &errb); err == nil || !strings.Contains(err.Error(), "no products") || out.Len() > 0 {
		t.Fatalf("train of an empty shop: err %v, stdout %q", err, out.String())
	}
	pf := filepath.Join(dir, "products.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,Northpeak,89.00,3,\n"), 0o644))
	runOK(t, "import", "--db", db, "--products", pf)
	if got := runOK(t, "recommend", "--db", db, "--user", "someone"); !strings.Contains(got, `"item_id":"P1"`) {
		t.Errorf("after an import, recommend answered %s, want P1", got)
	}
}

// A stored model that cannot be read (a damaged row, a model from a
// newer release) tells the operator what to do, not only what broke.
func TestRecommendWithADamagedModelSaysToTrain(t *testing.T) {
	db := filepath.Join(t.TempDir(), "shop.db")
	d, err := models.Open(db)
	mustDo(t, err)
	mustDo(t, d.SaveModelArtifact(context.Background(), &models.ModelArtifact{Blob: []byte("not a model"), TrainedAt: time.Now().UTC()}))
	d.Close()
	var out, errb bytes.Buffer
	err = run([]string{"recommend", "--db", db, "--user", "u1"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "corrupt model file") || !strings.Contains(err.Error(), "run `storefront train --db "+db+"`") {
		t.Fatalf("recommend with a damaged model: %v", err)
	}
}

// An events file that cannot be opened is named in a plain error, and the
// products file of the same import is not written without it (the error
// read "seed: import: open …", naming a package, not the command).
func TestImportOfAMissingFileWritesNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf := filepath.Join(dir, "products.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,Northpeak,89.00,3,\n"), 0o644))
	var out, errb bytes.Buffer
	err := run([]string{"import", "--db", db, "--products", pf, "--events", filepath.Join(dir, "events.csv")}, &out, &errb)
	if err == nil || !strings.HasPrefix(err.Error(), "import: open ") || !strings.Contains(err.Error(), "events.csv") || out.Len() > 0 {
		t.Fatalf("err %v, stdout %q; want import: open …events.csv", err, out.String())
	}
	d, err := models.Open(db)
	mustDo(t, err)
	defer d.Close()
	var n int64
	mustDo(t, d.R.Model(&models.Product{}).Count(&n).Error)
	if n != 0 {
		t.Errorf("%d products written by an import that failed", n)
	}
}

// A users file with a line too long to be an id is refused by its line
// (it said only "bufio.Scanner: token too long"), before any output.
func TestRecommendNamesTheLineTooLongOfAUsersFile(t *testing.T) {
	dir := t.TempDir()
	uf := filepath.Join(dir, "users.txt")
	mustDo(t, os.WriteFile(uf, []byte("u1\n\nu2\n"+strings.Repeat("x", 2<<20)+"\nu3\n"), 0o644))
	var out, errb bytes.Buffer
	err := run([]string{"recommend", "--db", filepath.Join(dir, "shop.db"), "--users-file", uf}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), uf+":4: the line is longer than 1 MiB") || out.Len() > 0 {
		t.Fatalf("err %v, stdout %q; want %s:4 named", err, out.String(), uf)
	}
}

// A model stored before the shop had products (serve trained at start
// before it stopped storing a model of no products, and a shop may be
// served before its import) is not used to answer: it answered every user
// with an empty list until the next train.
func TestRecommendDoesNotAnswerWithAModelOfNoProducts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	d, err := models.Open(db)
	mustDo(t, err)
	ctx := context.Background()
	if _, err := shop.TrainAndStore(ctx, d, recommender.DefaultConfig(), nil); !errors.Is(err, shop.ErrNoProducts) {
		t.Fatalf("training a shop without products: %v, want shop.ErrNoProducts", err)
	}
	empty, err := recommender.Train(ctx, recommender.Dataset{Now: time.Now()}, recommender.DefaultConfig(), nil)
	mustDo(t, err)
	blob, err := empty.Marshal()
	mustDo(t, err)
	err = d.SaveModelArtifact(ctx, &models.ModelArtifact{Blob: blob, TrainedAt: time.Now()})
	d.Close()
	mustDo(t, err)
	pf := filepath.Join(dir, "products.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,Northpeak,89.00,3,\n"), 0o644))
	runOK(t, "import", "--db", db, "--products", pf)
	var out, errb bytes.Buffer
	mustDo(t, run([]string{"recommend", "--db", db, "--user", "someone"}, &out, &errb))
	if !strings.Contains(out.String(), `"item_id":"P1"`) || !strings.Contains(errb.String(), "trained before the shop had products") {
		t.Errorf("recommend answered %s (stderr %q), want P1 and why it trained", out.String(), errb.String())
	}
}

// A users file cut from the events file keeps its header, `user_id`: it
// is the column's name, not a user to answer (unless the shop has a
// customer by that id), and recommend says it read it so.
func TestRecommendReadsAUsersFilesHeaderAsAHeader(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf := filepath.Join(dir, "products.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,Northpeak,89.00,3,\nP2,Stove,,Outdoor,Northpeak,39.00,3,\n"), 0o644))
	ef := filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\nann,P1,view,2026-02-01T09:00:00Z\nbo,P2,purchase,2026-02-01T09:00:00Z\n"), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
	runOK(t, "train", "--db", db)
	answered := func(file string) ([]string, string) {
		t.Helper()
		uf := filepath.Join(dir, "users.txt")
		mustDo(t, os.WriteFile(uf, []byte(file), 0o644))
		var out, errb bytes.Buffer
		mustDo(t, run([]string{"recommend", "--db", db, "--users-file", uf, "--n", "2"}, &out, &errb))
		var ids []string
		for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var r struct {
				UserID string `json:"user_id"`
			}
			mustDo(t, json.Unmarshal([]byte(l), &r))
			ids = append(ids, r.UserID)
		}
		return ids, errb.String()
	}
	for _, header := range []string{"user_id", "\ufeffUSER_ID", `"user_id"`} {
		ids, stderr := answered(header + "\r\nann\r\nbo\r\n")
		if !slices.Equal(ids, []string{"ann", "bo"}) || !strings.Contains(stderr, `users.txt:1: "`) || !strings.Contains(stderr, "read as the column's header, not a user id") {
			t.Errorf("a file headed %q answered %q (stderr %q); want ann, bo and the header named", header, ids, stderr)
		}
	}
	// Further down, or any other word, it is a user id.
	if ids, _ := answered("ann\nuser_id\nuser\n"); !slices.Equal(ids, []string{"ann", "user_id", "user"}) {
		t.Errorf("answered %q, want every line", ids)
	}
	// A shop with a customer by that id answers them.
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\nuser_id,P1,view,2026-02-01T09:00:00Z\n"), 0o644))
	runOK(t, "import", "--db", db, "--events", ef)
	if ids, stderr := answered("user_id\nann\n"); !slices.Equal(ids, []string{"user_id", "ann"}) || stderr != "" {
		t.Errorf("with a customer user_id: answered %q (stderr %q), want both lines", ids, stderr)
	}
	// Users the shop has no event of are still answered, in order, and
	// named on stderr: a file of other ids, or with a second column, was
	// answered with popular products without a word.
	ids, stderr := answered("ann\nnobody\t3\nzed\n")
	if !slices.Equal(ids, []string{"ann", "nobody\t3", "zed"}) ||
		!strings.Contains(stderr, `2 of the 3 users asked for have no event in the shop`) ||
		!strings.Contains(stderr, `users.txt:2 "nobody\t3", `) || !strings.Contains(stderr, `users.txt:3 "zed"`) ||
		!strings.Contains(stderr, `users.txt:2: "nobody\t3" holds a tab; the file holds one user id per line`) {
		t.Errorf("answered %q, stderr %q; want every line and the two strangers named", ids, stderr)
	}
}

// A customer an import brought has no account to ask for their data at
// /account: the shop answers their request on the command line. The
// export holds their history; the deletion removes it, leaves them out of
// the stored model, and the next nightly import that still lists them
// stores none of their events again.
func TestACustomersDataRequestIsAnsweredOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf := filepath.Join(dir, "products.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Dog Lead,,Dogs,Pawsome,12.00,30,\nP2,Cat Tree,,Cats,Pawsome,89.00,30,\nP3,Fish Flakes,,Fish,AquaLife,4.00,30,\n"), 0o644))
	ef := filepath.Join(dir, "events.csv")
	events := "user_id,product_id,type,timestamp\n"
	for i, u := range []string{"cust1", "cust2", "cust3", "cust4"} {
		events += fmt.Sprintf("%s,P1,view,2026-11-0%dT09:00:00Z\n%s,P2,purchase,2026-11-0%dT09:05:00Z\n", u, i+1, u, i+1)
	}
	mustDo(t, os.WriteFile(ef, []byte(events), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
	runOK(t, "train", "--db", db)

	var out, errb bytes.Buffer
	mustDo(t, run([]string{"customer", "export", "--db", db, "--user", "cust2"}, &out, &errb))
	var export models.ShopperExport
	mustDo(t, json.Unmarshal(out.Bytes(), &export))
	if export.Account.ID != "cust2" || len(export.Events) != 2 {
		t.Fatalf("export of cust2: %+v with %d events, want their 2", export.Account, len(export.Events))
	}

	out.Reset()
	mustDo(t, run([]string{"customer", "delete", "--db", db, "--user", "cust2"}, &out, &errb))
	if !strings.Contains(out.String(), "deleted customer cust2") || !strings.Contains(out.String(), "1 stored model rewritten") {
		t.Errorf("delete said %q", out.String())
	}
	d, err := models.Open(db)
	mustDo(t, err)
	defer d.Close()
	ctx := context.Background()
	if items, _ := d.UserItems(ctx, "cust2"); len(items) != 0 {
		t.Fatalf("cust2's history is still stored: %v", items)
	}
	m, _, err := shop.LoadStoredModel(ctx, d)
	mustDo(t, err)
	if m.KnownUser("cust2") {
		t.Fatal("the stored model still holds cust2")
	}
	// The ERP's next export still lists them.
	sum, err := seed.Import(ctx, d, "", ef, nil)
	mustDo(t, err)
	if items, _ := d.UserItems(ctx, "cust2"); len(items) != 0 || sum.EventsForgotten != 2 || sum.Events != 0 {
		t.Fatalf("the re-import stored %d events, left out %d of cust2, who has %v again", sum.Events, sum.EventsForgotten, items)
	}
	if _, err := d.FindCustomer(ctx, "cust2", ""); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("the re-import made an account for the deleted customer again (%v)", err)
	}
	if got := sum.SkippedLine(); !strings.Contains(got, "2 events of customers deleted on request, not stored") {
		t.Errorf("the import's summary says %q", got)
	}
	err = run([]string{"customer", "export", "--db", db, "--user", "cust2"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), `no customer "cust2"`) {
		t.Errorf("export of a deleted customer: %v", err)
	}
}

// TestRecommendMatchesIdsInAnyUnicodeNormalForm: a customer the events file
// names "Zoë" in one Unicode normal form (NFC: one code point for the ë)
// and the users file in the other (NFD: an e and a combining diaeresis),
// or the other way round, is the same customer: answered for what they
// had, not as a stranger with the popular list that holds it, and under
// the id as the users file wrote it.
func TestRecommendMatchesIdsInAnyUnicodeNormalForm(t *testing.T) {
	const nfcZoe, nfdZoe = "Zo\u00eb", "Zoe\u0308"
	const nfcRenee, nfdRenee = "Ren\u00e9e", "Rene\u0301e"
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	mustDo(t, os.WriteFile(pf, []byte("id,title,description,category,brand,price,stock,created_at\nP1,Tent,,Outdoor,,99.00,5,\nP2,Stove,,Outdoor,,45.00,5,\nP3,Mug,,Kitchen,,5.00,5,\n"), 0o644))
	// P1 is the most popular product: a stranger is recommended it first.
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\n"+
		nfcZoe+",P1,purchase,2026-03-01T10:00:00Z\n"+
		nfdRenee+",P1,purchase,2026-03-01T10:30:00Z\n"+
		"bob,P1,purchase,2026-03-01T11:00:00Z\nbob,P2,view,2026-03-01T11:05:00Z\n"+
		"cid,P1,view,2026-03-01T12:00:00Z\ncid,P3,view,2026-03-01T12:05:00Z\n"), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--events", ef)
	users := filepath.Join(dir, "users.txt")
	mustDo(t, os.WriteFile(users, []byte(nfdZoe+"\n"+nfcRenee+"\nnobody\n"), 0o644))
	var out, errb bytes.Buffer
	mustDo(t, run([]string{"recommend", "--db", db, "--users-file", users, "--n", "3"}, &out, &errb))
	var got []string
	for _, line := range recommendLines(t, out.String()) {
		got = append(got, line.UserID)
		if slices.Contains(line.itemIDs(), "P1") && line.UserID != "nobody" {
			t.Errorf("%+q was recommended P1, which they bought:\n%s", line.UserID, out.String())
		}
	}
	if want := []string{nfdZoe, nfcRenee, "nobody"}; !reflect.DeepEqual(got, want) {
		t.Errorf("answered %+q, want the ids as the users file wrote them, %+q", got, want)
	}
	if s := errb.String(); !strings.Contains(s, "1 of the 3 users") || strings.Contains(s, "Zo") || strings.Contains(s, "Ren") {
		t.Errorf("stderr names strangers other than nobody:\n%s", s)
	}
	// --user, in either form, answers the same customer.
	for _, id := range []string{nfdZoe, nfdRenee} {
		for _, line := range recommendLines(t, runOK(t, "recommend", "--db", db, "--user", id, "--n", "3")) {
			if slices.Contains(line.itemIDs(), "P1") {
				t.Errorf("recommend --user %+q recommends P1, which they bought", id)
			}
		}
	}
}

// recommendLines reads `recommend`'s JSONL output.
func recommendLines(t *testing.T, out string) []recommendLine {
	t.Helper()
	var lines []recommendLine
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var line recommendLine
		mustDo(t, json.Unmarshal([]byte(l), &line))
		lines = append(lines, line)
	}
	return lines
}

// itemIDs are a line's recommended items in order.
func (l recommendLine) itemIDs() []string {
	out := make([]string, len(l.RecommendedItems))
	for i, it := range l.RecommendedItems {
		out[i] = it.ItemID
	}
	return out
}

// checkOneProductPerID checks a shop imported from files that name its
// two best sellers, a and b, in other forms (another letter case, another
// Unicode normal form): each customer's events (had) name the products as
// the catalog has them; after training, "dee", who bought neither, is
// recommended both under the catalog's ids, and "ann", who bought both,
// neither (same tells whether two ids are one product's). It returns the
// shop's store.
func checkOneProductPerID(t *testing.T, db string, had map[string][]string, a, b string, same func(x, y string) bool) *models.DB {
	t.Helper()
	store, err := models.Open(db)
	mustDo(t, err)
	t.Cleanup(func() { store.Close() })
	for user, want := range had {
		got, err := store.UserItems(context.Background(), user)
		mustDo(t, err)
		slices.Sort(got)
		slices.Sort(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s's events name %+q, want %+q", user, got, want)
		}
	}
	runOK(t, "train", "--db", db, "--tune-budget", "0")
	for _, line := range recommendLines(t, runOK(t, "recommend", "--db", db, "--user", "dee", "--n", "3")) {
		if items := line.itemIDs(); !slices.Contains(items, a) || !slices.Contains(items, b) {
			t.Errorf("dee is recommended %+q; want both best sellers, named as the catalog has them (%+q, %+q)", items, a, b)
		}
	}
	for _, line := range recommendLines(t, runOK(t, "recommend", "--db", db, "--user", "ann", "--n", "3")) {
		for _, id := range line.itemIDs() {
			if same(id, a) || same(id, b) {
				t.Errorf("ann is recommended %+q, which she bought", id)
			}
		}
	}
	return store
}

// TestImportMatchesUUIDProductIdsInAnyLetterCase: a catalog whose product
// ids are UUIDs in lower case and an order export writing them in upper
// case (as .NET and SQL Server do) name the same products: the import
// keeps the events (it refused every one as an unknown product), recommend
// leaves out what a customer bought and names each product as the catalog
// has it, and the catalog imported again in upper case updates its
// products rather than adding others beside them. An id that is not a
// UUID keeps its case: "sku-7" does not name "SKU-7".
func TestImportMatchesUUIDProductIdsInAnyLetterCase(t *testing.T) {
	const kettle, toaster = "3f2b8c1e-9d4a-4b6f-a2c1-7e5d9f0b8a61", "a9c4e2d7-1b3f-4c8e-9a6d-2f7b1e0c5d43"
	upper := strings.ToUpper
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	products := func(k, to string) string {
		return "id,title,description,category,brand,price,stock,created_at\n" +
			k + ",Kettle,,Kitchen,,30.00,9,2026-01-01T00:00:00Z\n" +
			to + ",Toaster,,Kitchen,,25.00,9,2026-01-01T00:00:00Z\n" +
			"SKU-7,Mug,,Kitchen,,5.00,9,2026-01-01T00:00:00Z\nSKU-8,Bowl,,Kitchen,,6.00,9,2026-01-01T00:00:00Z\n"
	}
	mustDo(t, os.WriteFile(pf, []byte(products(kettle, toaster)), 0o644))
	// The kettle and the toaster are the best sellers: a stranger gets both.
	events := "user_id,product_id,type,timestamp\n" +
		"ann," + upper(kettle) + ",purchase,2026-03-01T10:00:00Z\nann," + upper(toaster) + ",purchase,2026-03-01T10:05:00Z\n" +
		"bob," + upper(kettle) + ",purchase,2026-03-01T11:00:00Z\nbob," + toaster + ",view,2026-03-01T11:05:00Z\n" +
		"cid," + upper(kettle) + ",purchase,2026-03-01T12:00:00Z\ncid," + upper(toaster) + ",purchase,2026-03-01T12:05:00Z\ncid,SKU-7,view,2026-03-01T12:10:00Z\n" +
		"dee,SKU-7,view,2026-03-01T13:00:00Z\n"
	mustDo(t, os.WriteFile(ef, []byte(events), 0o644))
	var out, errb bytes.Buffer
	if err := run([]string{"import", "--db", db, "--products", pf, "--events", ef}, &out, &errb); err != nil {
		t.Fatalf("import: %v\n%s", err, errb.String())
	}
	store := checkOneProductPerID(t, db, map[string][]string{"ann": {kettle, toaster}, "bob": {kettle, toaster}, "dee": {"SKU-7"}},
		kettle, toaster, strings.EqualFold)
	// The catalog again, its UUIDs in upper case, as the full catalog: the
	// same four products, none deactivated, the kettle's price updated.
	mustDo(t, os.WriteFile(pf, []byte(strings.Replace(products(upper(kettle), upper(toaster)), "30.00", "32.00", 1)), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--deactivate-missing")
	var all []models.Product
	mustDo(t, store.R.Order("external_id").Find(&all).Error)
	if len(all) != 4 {
		t.Fatalf("%d products after the second import, want 4", len(all))
	}
	for _, p := range all {
		if !p.Active || p.ExternalID == kettle && p.PriceCents != 3200 {
			t.Errorf("after the second import %s is active %v at %d cents", p.ExternalID, p.Active, p.PriceCents)
		}
	}
	// A SKU in another case is another product: refused, nothing written.
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\neve,sku-7,view,2026-03-02T10:00:00Z\n"), 0o644))
	errb.Reset()
	if err := run([]string{"import", "--db", db, "--events", ef}, &out, &errb); err == nil || !strings.Contains(err.Error(), `unknown product id "sku-7"`) {
		t.Errorf("an event naming sku-7 beside the catalog's SKU-7: %v\n%s; want it refused as an unknown product", err, errb.String())
	}
}

// TestImportMatchesProductIdsInAnyUnicodeNormalForm: a products file
// writing "Crème-1" with one code point (NFC) and an events file writing
// it with a combining accent (NFD), or the other way round for "Pâte-1",
// name one product: the import keeps the events (it refused them as
// unknown products), recommend leaves out what a customer bought and
// answers each id as the catalog has it, and the products file imported
// again in the other form updates the products rather than adding
// others beside them.
func TestImportMatchesProductIdsInAnyUnicodeNormalForm(t *testing.T) {
	const nfcCreme, nfdCreme = "Cr\u00e8me-1", "Cre\u0300me-1"
	const nfcPate, nfdPate = "P\u00e2te-1", "Pa\u0302te-1"
	dir := t.TempDir()
	db := filepath.Join(dir, "shop.db")
	pf, ef := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv")
	products := func(creme, pate string) string {
		return "id,title,description,category,brand,price,stock,created_at\n" +
			creme + ",Crème Brûlée Dish,,Kitchen,,12.00,9,2026-01-01T00:00:00Z\n" +
			pate + ",Pâte Cutter,,Kitchen,,7.00,9,2026-01-01T00:00:00Z\n" +
			"P3,Mug,,Kitchen,,5.00,9,2026-01-01T00:00:00Z\nP4,Bowl,,Kitchen,,6.00,9,2026-01-01T00:00:00Z\n"
	}
	mustDo(t, os.WriteFile(pf, []byte(products(nfcCreme, nfdPate)), 0o644))
	// The dish and the cutter are the best sellers: a stranger gets both.
	mustDo(t, os.WriteFile(ef, []byte("user_id,product_id,type,timestamp\n"+
		"ann,"+nfdCreme+",purchase,2026-03-01T10:00:00Z\nann,"+nfcPate+",purchase,2026-03-01T10:05:00Z\n"+
		"bob,"+nfdCreme+",purchase,2026-03-01T11:00:00Z\nbob,"+nfcPate+",view,2026-03-01T11:05:00Z\n"+
		"cid,"+nfdCreme+",purchase,2026-03-01T12:00:00Z\ncid,"+nfcPate+",purchase,2026-03-01T12:05:00Z\ncid,P3,view,2026-03-01T12:10:00Z\n"+
		"dee,P3,view,2026-03-01T13:00:00Z\n"), 0o644))
	var out, errb bytes.Buffer
	if err := run([]string{"import", "--db", db, "--products", pf, "--events", ef}, &out, &errb); err != nil {
		t.Fatalf("import: %v\n%s", err, errb.String())
	}
	store := checkOneProductPerID(t, db, map[string][]string{"ann": {nfcCreme, nfdPate}, "dee": {"P3"}},
		nfcCreme, nfdPate, func(a, b string) bool { return models.NormalID(a) == models.NormalID(b) })
	// The catalog again, written the other way round, as the full
	// catalog: the same four products, none deactivated.
	mustDo(t, os.WriteFile(pf, []byte(strings.Replace(products(nfdCreme, nfcPate), "12.00", "13.00", 1)), 0o644))
	runOK(t, "import", "--db", db, "--products", pf, "--deactivate-missing")
	var all []models.Product
	mustDo(t, store.R.Order("external_id").Find(&all).Error)
	if len(all) != 4 {
		t.Fatalf("%d products after the second import, want 4", len(all))
	}
	for _, p := range all {
		if !p.Active || p.ExternalID == nfcCreme && p.PriceCents != 1300 {
			t.Errorf("after the second import %+q is active %v at %d cents", p.ExternalID, p.Active, p.PriceCents)
		}
	}
}
