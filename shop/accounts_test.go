package shop

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"storefront/models"
)

// TestAccountChangesAreReportedOnce: every write to a shopper's account
// (opt-out, hidden interests, edited history, password) is reported to
// Options.AccountsChanged at the next poll, once; a change stamped before
// the newest one seen but committed after it (a slow commit, another
// instance's clock a little behind) is reported too.
func TestAccountChangesAreReportedOnce(t *testing.T) {
	ctx := context.Background()
	db, err := models.Open(filepath.Join(t.TempDir(), "shop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var told []string
	s, err := New(ctx, db, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		AccountsChanged: func(keys []string) { told = append(told, keys...) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const password = "correct horse battery staple 7"
	var shoppers []*models.Shopper
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com", "d@example.com"} {
		sh, err := db.CreateShopper(ctx, "Shopper", email, password)
		if err != nil {
			t.Fatal(err)
		}
		shoppers = append(shoppers, sh)
	}
	poll := func() []string {
		t.Helper()
		told = nil
		if err := s.followAccounts(ctx); err != nil {
			t.Fatal(err)
		}
		slices.Sort(told)
		return told
	}
	poll() // the mark
	if got := poll(); len(got) != 0 {
		t.Fatalf("reported %v with no change", got)
	}
	time.Sleep(10 * time.Millisecond) // a later stamp than the accounts' creation
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(db.SetOptOut(ctx, shoppers[0].ID, true))
	check(db.ShowInterest(ctx, shoppers[1].ID, "brand:Acme"))
	_, err = db.ForgetHistory(ctx, shoppers[2].ID, models.Forget{})
	check(err)
	check(db.ChangeShopperPassword(ctx, shoppers[3].ID, password, "another horse battery staple 8"))
	want := []string{shoppers[0].ExternalID, shoppers[1].ExternalID, shoppers[2].ExternalID, shoppers[3].ExternalID}
	slices.Sort(want)
	if got := poll(); !slices.Equal(got, want) {
		t.Fatalf("reported %v, want %v", got, want)
	}
	if got := poll(); len(got) != 0 {
		t.Fatalf("reported %v again", got)
	}
	// Stamped a second before the newest change seen, committed now.
	check(db.W.Model(&models.Shopper{}).Where("id = ?", shoppers[1].ID).
		UpdateColumns(map[string]any{"opt_out": true, "updated_at": s.accounts.mark.Add(-time.Second)}).Error)
	if got := poll(); !slices.Equal(got, []string{shoppers[1].ExternalID}) {
		t.Fatalf("a late commit: reported %v, want [%s]", got, shoppers[1].ExternalID)
	}
}
