// Command storefront runs the shop and its data tools. This file only parses
// the command line and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"storefront/models"
	"storefront/web"
)

const usage = `storefront — a personalized shop in one binary.

Usage:
  storefront serve     [--db PATH] [--addr 127.0.0.1:8080] [--secure-cookies] [--train-every 1h]
  storefront seed      [--db PATH] [--scale small|large] [--if-empty] [--reset]
  storefront import    [--db PATH] --products products.csv --events events.csv
  storefront train     [--db PATH]
  storefront recommend [--db PATH] (--user ID | --users-file FILE) [--n 10] [--format jsonl]
  storefront eval      [--db PATH] [--k 10] [--format table|json] [--dataset movielens --dir DIR]
  storefront backup    [--db PATH] --to FILE

Every command takes --db (default data/storefront.db, created if missing).
`

// config holds everything the commands need.
type config struct {
	db            string
	addr          string
	secureCookies bool
	trainEvery    time.Duration
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "storefront:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.db, "db", "data/storefront.db", "SQLite database file")
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)

	switch cmd {
	case "serve":
		fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address")
		fs.BoolVar(&cfg.secureCookies, "secure-cookies", false, "mark cookies Secure (set when served over TLS)")
		fs.DurationVar(&cfg.trainEvery, "train-every", time.Hour, "retrain the recommender this often (0 = never)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		return serve(cfg, logger, stdout)
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
}

func openDB(path string) (*models.DB, error) {
	return models.Open(path)
}

func serve(cfg config, logger *slog.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openDB(cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := web.New(ctx, web.Config{Addr: cfg.addr, SecureCookies: cfg.secureCookies, TrainEvery: cfg.trainEvery, Logger: logger}, db)
	if err != nil {
		return err
	}
	err = srv.ListenAndServe(ctx, func(addr string) {
		fmt.Fprintf(stdout, "Storefront is open at http://%s/\n", addr)
		printLogins(stdout)
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func printLogins(w io.Writer) {}
