package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"storefront/models"
	"storefront/shop"
)

// customerCmd runs `storefront customer export|delete`: a customer's data
// request to the shop, for customers an import brought (who have no
// account to do it themselves at /account) as for registered shoppers.
func customerCmd(cfg *config, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fs.Usage()
		return nil
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("customer: give a subcommand: export or delete")
	}
	sub, args := args[0], args[1:]
	if sub != "export" && sub != "delete" {
		return fmt.Errorf("customer: unknown subcommand %q (want export or delete)", sub)
	}
	user := fs.String("user", "", "the customer's user id: the events file's user_id, or the shop's id of a registered shopper (s12)")
	email := fs.String("email", "", "or the email of a registered shopper")
	if err := parseFlags(fs, "customer "+sub, args); err != nil {
		return err
	}
	*user, *email = strings.TrimSpace(*user), strings.TrimSpace(*email)
	if (*user == "") == (*email == "") {
		return fmt.Errorf("customer %s: give one of --user ID or --email E", sub)
	}
	ctx, db, done, err := openForCommand(*cfg)
	if err != nil {
		return err
	}
	defer done()
	sh, err := db.FindCustomer(ctx, *user, *email)
	if errors.Is(err, models.ErrNotFound) {
		who := *user
		if who == "" {
			who = *email
		}
		return fmt.Errorf("customer %s: no customer %q in this shop (a deleted customer is not kept)", sub, who)
	}
	if err != nil {
		return err
	}
	switch sub {
	case "export":
		data, err := db.ExportShopper(ctx, sh.ID)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(data)
	default:
		if err := db.DeleteShopper(ctx, sh.ID); err != nil {
			return err
		}
		if err := db.Audit(ctx, cliActor(), "customer.delete", sh.ExternalID, "deleted on request with their history; orders kept without personal data"); err != nil {
			return err
		}
		// Stored models are rewritten without them now; a serving shop
		// reads the tombstone within its poll.
		n, err := shop.PurgeForgotten(ctx, db)
		if err != nil {
			return fmt.Errorf("customer delete: deleted, but rewriting the stored models without them failed (the shop serves them as a stranger meanwhile): %w", err)
		}
		fmt.Fprintf(stdout, "deleted customer %s with their history (%d stored %s rewritten without them); orders are kept without personal data, and later imports do not store their events again\n",
			sh.ExternalID, n, plural(n, "model", "models"))
		return nil
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
