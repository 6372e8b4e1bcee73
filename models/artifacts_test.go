package models

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func TestReadLatestModelArtifactHandsOverTheNewestBlob(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	read := func() (*ModelArtifact, []byte, error) {
		var got *ModelArtifact
		var blob []byte
		err := db.ReadLatestModelArtifact(ctx, func(a *ModelArtifact, b []byte) error {
			got, blob = a, bytes.Clone(b)
			return nil
		})
		return got, blob, err
	}
	if _, _, err := read(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no model stored: got %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	old := &ModelArtifact{Blob: []byte("older model"), Stats: `{"a":1}`, Events: 3, TrainedAt: at}
	newest := &ModelArtifact{Blob: []byte("newest model"), Stats: `{"b":2}`, Metrics: `{"ndcg":0.1}`, Events: 7, TrainedAt: at.Add(time.Hour)}
	for _, a := range []*ModelArtifact{old, newest} {
		if err := db.SaveModelArtifact(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	a, blob, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if string(blob) != "newest model" || a.ID != newest.ID || a.Stats != newest.Stats || a.Metrics != newest.Metrics ||
		a.Events != 7 || !a.TrainedAt.Equal(newest.TrainedAt) || a.Blob != nil {
		t.Errorf("got %+v with blob %q, want the newest artifact %+v", a, blob, newest)
	}
	want := errors.New("decode failed")
	if err := db.ReadLatestModelArtifact(ctx, func(*ModelArtifact, []byte) error { return want }); !errors.Is(err, want) {
		t.Errorf("the reader's error is lost: %v", err)
	}
}
