using System.Text.Json.Nodes;

namespace Annotate.Annotators.Tests.Models.Grammar;

/// <summary>Varied JSON Schemas, shaped like the ones model tasks declare, shared by the compiler and generation tests.</summary>
public static class SampleSchemas
{
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        ["required-and-optional"] = """
            {"type":"object","properties":{
              "title":{"type":"string","maxLength":24},
              "summary":{"type":"string","maxLength":20},
              "pages":{"type":"integer"},
              "draft":{"type":"boolean"}},
             "required":["title","pages"],"additionalProperties":false}
            """,
        ["all-optional"] = """
            {"type":"object","properties":{"a":{"type":"string","maxLength":6},"b":{"type":"number"},"c":{"type":"null"}}}
            """,
        ["string-enum"] = """
            {"type":"object","properties":{"language":{"enum":["en","de","fr","it","nl"]},
              "kind":{"type":"string","enum":["invoice","contract","letter","report"]}},"required":["language","kind"]}
            """,
        ["mixed-enum-and-const"] = """
            {"type":"object","properties":{"v":{"enum":[1,2.5,"two words",null,true,{"k":"v"},[1,"x"]]},
              "version":{"const":"1.0"},"quote":{"enum":["say \"hi\"","back\\slash","line\nbreak","naïve ünïcödé"]}},
             "required":["v","version","quote"]}
            """,
        ["bounded-array"] = """
            {"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","minLength":1,"maxLength":8},"minItems":1,"maxItems":3},
              "scores":{"type":"array","items":{"type":"integer"},"maxItems":2}},"required":["tags","scores"]}
            """,
        ["exact-array"] = """
            {"type":"array","items":{"type":"boolean"},"minItems":2,"maxItems":2}
            """,
        ["empty-array-only"] = """
            {"type":"array","items":{"type":"string"},"maxItems":0}
            """,
        ["nested-objects"] = """
            {"type":"object","properties":{
              "author":{"type":"object","properties":{"name":{"type":"string","maxLength":16},
                 "address":{"type":"object","properties":{"city":{"type":"string","maxLength":12},"zip":{"type":"string","minLength":4,"maxLength":5}},"required":["city"]}},
               "required":["name","address"]},
              "counts":{"type":"object","properties":{"words":{"type":"integer"},"lines":{"type":"integer"}},"required":["words"]}},
             "required":["author"]}
            """,
        ["numbers"] = """
            {"type":"object","properties":{"amount":{"type":"number"},"count":{"type":"integer"},"ratio":{"type":["number","null"]}},
             "required":["amount","count","ratio"]}
            """,
        ["type-union"] = """
            {"type":"object","properties":{"value":{"type":["string","integer","boolean","null"],"maxLength":10},
              "maybe":{"type":["object","null"],"properties":{"x":{"type":"integer"}},"required":["x"]}},
             "required":["value","maybe"]}
            """,
        ["any-of-and-one-of"] = """
            {"type":"object","properties":{
              "id":{"anyOf":[{"type":"integer"},{"type":"string","maxLength":8}]},
              "status":{"oneOf":[{"const":"open"},{"const":"closed"},{"type":"null"}]}},
             "required":["id","status"]}
            """,
        ["refs-to-defs"] = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "properties":{"buyer":{"$ref":"#/$defs/party"},"seller":{"$ref":"#/$defs/party"},
               "lines":{"type":"array","items":{"$ref":"#/$defs/line"},"maxItems":2}},
             "required":["buyer","lines"],
             "$defs":{"party":{"type":"object","properties":{"name":{"type":"string","maxLength":10},"vat":{"type":["string","null"],"maxLength":6}},"required":["name"]},
                      "line":{"type":"object","properties":{"qty":{"type":"integer"},"price":{"type":"number"}},"required":["qty","price"]}}}
            """,
        ["refs-to-definitions"] = """
            {"definitions":{"level":{"enum":["low","medium","high"]}},
             "type":"object","properties":{"risk":{"$ref":"#/definitions/level"},"impact":{"$ref":"#/definitions/level"}},"required":["risk"]}
            """,
        ["recursive-ref"] = """
            {"$defs":{"node":{"type":"object","properties":{"label":{"type":"string","maxLength":5},
               "children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["label"]}},
             "$ref":"#/$defs/node"}
            """,
        ["dates-and-uuids"] = """
            {"type":"object","properties":{"issued":{"type":"string","format":"date"},"due":{"type":["string","null"],"format":"date"},
              "at":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"}},
             "required":["issued","due","at","id"]}
            """,
        ["entities"] = """
            {"type":"object","title":"Entities","description":"Named entities found in the text.",
             "properties":{"entities":{"type":"array","maxItems":3,"items":{"type":"object",
               "properties":{"text":{"type":"string","minLength":1,"maxLength":20},"type":{"enum":["person","organisation","place","date","amount"]},
                 "confidence":{"type":"number"}},"required":["text","type"],"additionalProperties":false}}},
             "required":["entities"]}
            """,
        ["scalar-root-string"] = """
            {"type":"string","minLength":2,"maxLength":12}
            """,
        ["scalar-root-integer"] = """
            {"type":"integer"}
            """,
        ["any-value"] = """
            {"type":"object","properties":{"anything":{},"also":true},"required":["anything","also"]}
            """,
        ["empty-object"] = """
            {"type":"object","properties":{},"additionalProperties":false}
            """,
    };

    public static JsonNode Parse(string name) => JsonNode.Parse(All[name])!;

    public static TheoryData<string> Names => new(All.Keys);
}
