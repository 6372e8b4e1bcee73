package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"

	"storefront/models"
)

// staffCmd runs `storefront staff add|list|remove|reset-password`.
// cfg is filled in by the flags parsed here.
func staffCmd(cfg *config, fs *flag.FlagSet, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		fs.Usage()
		return nil
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("staff: give a subcommand: add, list, remove or reset-password")
	}
	sub, args := args[0], args[1:]
	// list reads no email: registered there, `staff list --email E` would
	// list everyone as if it had been narrowed to E.
	var email *string
	if sub != "list" {
		email = fs.String("email", "", "the staff member's email")
	}
	var role, name *string
	var fromStdin *bool
	switch sub {
	case "add":
		role = fs.String("role", "", "admin or merchandiser")
		name = fs.String("name", "", "display name (optional)")
		fromStdin = fs.Bool("password-stdin", false, "read the password as one line from standard input instead of generating one")
	case "reset-password":
		fromStdin = fs.Bool("password-stdin", false, "read the new password as one line from standard input instead of generating one")
	case "list", "remove":
	default:
		return fmt.Errorf("staff: unknown subcommand %q (want add, list, remove or reset-password)", sub)
	}
	if err := parseFlags(fs, "staff "+sub, args); err != nil {
		return err
	}
	if sub != "list" && *email == "" {
		return fmt.Errorf("staff %s: --email is required", sub)
	}
	ctx, db, done, err := openForCommand(*cfg)
	if err != nil {
		return err
	}
	defer done()
	actor := cliActor()

	password := func() (pw string, generated bool, err error) {
		if !*fromStdin {
			return models.GeneratePassword(), true, nil
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", false, errors.New("no password on standard input (give one line)")
		}
		return pw, false, nil
	}

	switch sub {
	case "add":
		pw, generated, err := password()
		if err != nil {
			return fmt.Errorf("staff add: %w", err)
		}
		st, err := db.CreateStaff(ctx, actor, models.NewStaff{Email: *email, Name: *name, Role: *role, Password: pw})
		if err != nil {
			return fmt.Errorf("staff add: %w", describe(err))
		}
		fmt.Fprintf(stdout, "added %s %s\n", st.Role, st.Email)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n(shown once: store it now; change it with `storefront staff reset-password`)\n", pw)
		}
	case "list":
		list, err := db.StaffList(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no staff accounts; add one with `storefront staff add --email E --role admin`")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tROLE\tSTATUS\tNAME\tCREATED")
		for _, s := range list {
			status := "active"
			if !s.Active() {
				status = "deactivated"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Email, s.Role, status, s.Name, s.CreatedAt.UTC().Format("2006-01-02"))
		}
		return tw.Flush()
	case "remove":
		st, err := db.StaffByEmail(ctx, *email)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("staff remove: no staff account has the email %q", *email)
		}
		if err != nil {
			return err
		}
		if _, err := db.RemoveStaff(ctx, actor, st.ID); err != nil {
			return fmt.Errorf("staff remove: %w", describe(err))
		}
		fmt.Fprintf(stdout, "removed %s %s\n", st.Role, st.Email)
	case "reset-password":
		st, err := db.StaffByEmail(ctx, *email)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("staff reset-password: no staff account has the email %q", *email)
		}
		if err != nil {
			return err
		}
		pw, generated, err := password()
		if err != nil {
			return fmt.Errorf("staff reset-password: %w", err)
		}
		if _, err := db.SetStaffPassword(ctx, actor, st.ID, pw, false); err != nil {
			return fmt.Errorf("staff reset-password: %w", describe(err))
		}
		fmt.Fprintf(stdout, "new password set for %s\n", st.Email)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n(shown once: store it now)\n", pw)
		}
	}
	return nil
}

// describe turns a validation error into one line naming each bad field.
func describe(err error) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := make([]string, 0, len(ve.Fields))
	for f := range ve.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + ": " + strings.TrimSuffix(ve.Fields[f], ".")
	}
	return errors.New(strings.Join(parts, "; "))
}

// cliActor is who command-line changes are recorded under in the audit log.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "command line (" + u.Username + ")"
	}
	return "command line"
}
