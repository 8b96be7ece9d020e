package mongo

import (
	"encoding/base64"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"studio/internal/engine/docstore"
)

// fromRaw converts a BSON document to a docstore.Doc with the JSON types
// of docstore: int32 and int64 become int64, double stays float64 even
// when integral. Types our own writes never produce are mapped to strings
// (ObjectId as hex, dates as RFC 3339, decimals as text, binary as base64)
// so that data written by other tools can still be read.
func fromRaw(r bson.Raw) (docstore.Doc, error) {
	elems, err := r.Elements()
	if err != nil {
		return nil, err
	}
	d := make(docstore.Doc, len(elems))
	for _, e := range elems {
		v, err := fromValue(e.Value())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Key(), err)
		}
		d[e.Key()] = v
	}
	return d, nil
}

func fromValue(v bson.RawValue) (any, error) {
	switch v.Type {
	case bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	case bson.TypeString:
		return v.StringValue(), nil
	case bson.TypeBoolean:
		return v.Boolean(), nil
	case bson.TypeInt32:
		return int64(v.Int32()), nil
	case bson.TypeInt64:
		return v.Int64(), nil
	case bson.TypeDouble:
		return v.Double(), nil
	case bson.TypeEmbeddedDocument:
		return fromRaw(v.Document())
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return nil, err
		}
		out := make([]any, len(vals))
		for i, e := range vals {
			if out[i], err = fromValue(e); err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return out, nil
	case bson.TypeObjectID:
		return v.ObjectID().Hex(), nil
	case bson.TypeDateTime:
		return v.Time().UTC().Format(time.RFC3339Nano), nil
	case bson.TypeDecimal128:
		return v.Decimal128().String(), nil
	case bson.TypeBinary:
		_, data := v.Binary()
		return base64.StdEncoding.EncodeToString(data), nil
	}
	return v.String(), nil
}

// toBSON normalises a document and returns it as an ordered bson.D with
// _id first, the way MongoDB stores it.
func toBSON(d docstore.Doc) (bson.D, error) {
	n, err := docstore.NormalizeDoc(d)
	if err != nil {
		return nil, err
	}
	out := make(bson.D, 0, len(n))
	if id, ok := n["_id"]; ok {
		out = append(out, bson.E{Key: "_id", Value: id})
	}
	for k, v := range n {
		if k != "_id" {
			out = append(out, bson.E{Key: k, Value: v})
		}
	}
	return out, nil
}
