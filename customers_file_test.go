package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storefront/models"
)

// TestImportGivesCustomersOfAShopSystemTheirAddresses: a shop's export
// names customers by the shop system's ids (cust0042). A customers file
// (user_id,email[,name]) given to the import with --customers gives each
// the address they claim their history with. A bad row refuses the whole
// import with its file, line and field — a malformed address, an unknown
// user_id, one address for two customers, an address a registered account
// uses — and nothing is written. The file's addresses are kept as the
// shop keeps addresses (lower case, normal form C); the customer sets a
// first password with it and logs in to their history, and recommend
// keeps answering under the imported id. Before, --customers was an
// unknown flag.
func TestImportGivesCustomersOfAShopSystemTheirAddresses(t *testing.T) {
	dir := t.TempDir()
	target, drop, err := models.ScratchTarget(dir, "shop.db")
	mustDo(t, err)
	defer drop()
	db, err := models.Open(target)
	mustDo(t, err)
	_, err = db.CreateShopper(context.Background(), "Ada", "ada@example.com", "correct horse battery staple 7")
	mustDo(t, err)
	db.Close()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		mustDo(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	pf := write("products.csv", "id,title,description,category,brand,price,stock,created_at\n"+
		"P1,Oat Milk,Oat drink,Dairy,Oatly,2.49,40,2026-01-01T00:00:00Z\nP2,Rye Bread,Sour rye,Bakery,Fazer,3.10,12,2026-01-01T00:00:00Z\n")
	ef := write("events.csv", "user_id,product_id,type,timestamp\n"+
		"cust0042,P1,purchase,2026-02-01T10:00:00Z\ncust0043,P2,view,2026-02-01T10:05:00Z\ncust0044,P2,view,2026-02-01T10:06:00Z\ncust0045,P1,view,2026-02-01T10:07:00Z\n")

	bad := write("customers.csv", "user_id,email,name\n"+
		"cust0045,grace at example.com,Grace\n"+ // line 2: malformed
		"cust9999,nobody@example.com,\n"+ // line 3: unknown
		"cust0043,same@example.com,\n"+
		"cust0044,Same@Example.com,\n"+ // line 5: the address of line 4
		"cust0042,ADA@example.com,\n"+ // line 6: a registered account's
		"cust0042,grace@example.com,\n") // line 7: cust0042 twice
	var out, errb bytes.Buffer
	err = run([]string{"import", "--db", target, "--products", pf, "--events", ef, "--customers", bad}, &out, &errb)
	if err == nil {
		t.Fatalf("an import with a bad customers file passed:\n%s", out.String())
	}
	for _, want := range []string{
		`customers.csv:2: field email: "grace at example.com" is not an email address`,
		`customers.csv:3: field user_id: unknown user_id "cust9999"`,
		`customers.csv:5: field email: "same@example.com" is also given to "cust0043" on line 4`,
		`customers.csv:7: field user_id: "cust0042" is also on line 6`,
		`customers.csv:6: field email: ada@example.com is the address of an account registered here: that account keeps it`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}
	db, err = models.Open(target)
	mustDo(t, err)
	defer db.Close()
	var n int64
	mustDo(t, db.R.Model(&models.Product{}).Count(&n).Error)
	if n != 0 {
		t.Fatalf("%d products written by a refused import", n)
	}

	// The same shop's file, right: the addresses as the shop keeps them
	// ("Zoë" with a combining diaeresis is the one with the letter ë).
	good := write("customers.csv", "user_id,email,name\n"+
		"cust0042,Grace.Hopper@Example.COM,Grace Hopper\n"+
		"cust0043,zoe\u0308@example.com,\n")
	out.Reset()
	line := runOK(t, "import", "--db", target, "--products", pf, "--events", ef, "--customers", good)
	if !strings.Contains(line, "2 customers given an email address") {
		t.Errorf("the import said %q", line)
	}
	ctx := context.Background()
	grace, err := db.FindCustomer(ctx, "cust0042", "")
	mustDo(t, err)
	zoe, err := db.FindCustomer(ctx, "cust0043", "")
	mustDo(t, err)
	if grace.ClaimEmail == nil || *grace.ClaimEmail != "grace.hopper@example.com" || grace.Name != "Grace Hopper" ||
		zoe.ClaimEmail == nil || *zoe.ClaimEmail != "zo\u00eb@example.com" {
		t.Fatalf("stored: %+v %v, %+v %v", grace, grace.ClaimEmail, zoe, zoe.ClaimEmail)
	}

	// Grace asks for her first password with the address as she types it.
	token, sh, err := db.StartPasswordReset(ctx, "GRACE.hopper@example.com", time.Now())
	if err != nil || sh.ID != grace.ID || !sh.ClaimsImport() {
		t.Fatalf("a first password for the address the file gave: %v %+v", err, sh)
	}
	_, err = db.ResetShopperPassword(ctx, token, "grace claims her history 42", time.Now())
	mustDo(t, err)
	if _, err := db.AuthenticateShopper(ctx, "grace.hopper@example.com", "grace claims her history 42"); err != nil {
		t.Fatalf("grace cannot log in with the address and her password: %v", err)
	}
	// recommend answers under the imported id; she bought P1.
	out.Reset()
	errb.Reset()
	mustDo(t, run([]string{"recommend", "--db", target, "--user", "cust0042"}, &out, &errb))
	var a struct {
		UserID string `json:"user_id"`
		Items  []struct {
			ItemID string `json:"item_id"`
		} `json:"recommended_items"`
	}
	mustDo(t, json.Unmarshal(out.Bytes(), &a))
	if a.UserID != "cust0042" || len(a.Items) == 0 || a.Items[0].ItemID == "P1" {
		t.Fatalf("recommend --user cust0042 after the claim: %+v", a)
	}
	for _, it := range a.Items {
		if it.ItemID == "P1" {
			t.Fatalf("recommend --user cust0042 shows P1, which she bought: %+v", a)
		}
	}

	// A customers file alone, for customers of an earlier import.
	alone := write("customers.csv", "user_id,email\ncust0044,ida@example.com\n")
	if line := runOK(t, "import", "--db", target, "--customers", alone); !strings.Contains(line, "imported: 1 customer's address") {
		t.Errorf("a customers file alone: %q", line)
	}
}
