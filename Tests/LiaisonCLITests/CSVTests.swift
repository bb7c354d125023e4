import Foundation
import LiaisonCLI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire
import Testing

/// Spreadsheet exports as offices have them, read into what `liaison import` sends.
@Suite struct CSVTests {
    @Test func readsQuotedFieldsCommasLineBreaksAndDoubledQuotes() throws {
        let text = "\u{FEFF}key,name,notes\r\nhy,\"Hanyang University\",\"Seoul, \"\"HYU\"\"\nsecond line\"\r\n\r\nth,Ministry of Education,\n"
        #expect(
            try CSV.parse(text) == [
                ["key", "name", "notes"], ["hy", "Hanyang University", "Seoul, \"HYU\"\nsecond line"], ["th", "Ministry of Education", ""],
            ])
        #expect(try CSV.parse("a,\"\"\n") == [["a", ""]], "an empty quoted field is a field")
    }

    @Test func saysWhereAMalformedFieldIs() {
        #expect(throws: CSV.ParseError(line: 2, message: "a quote inside an unquoted field (quote the whole field and double the quote)")) {
            try CSV.parse("a,b\nx,y\"z\n")
        }
        #expect(throws: CSV.ParseError(line: 1, message: "text after a closing quote (expected a comma or a line end)")) {
            try CSV.parse("\"a\"b,c\n")
        }
        #expect(throws: CSV.ParseError(line: 2, message: "a quoted field is not closed before the end of the file")) {
            try CSV.parse("a\n\"open")
        }
    }

    @Test func rowsBecomeWhatTheServicesTakeWithKeysResolved() throws {
        var f = ImportFile()
        try f.add(csv: "key,name,kind,country\nhy,Hanyang University,university,KR\n", file: "p.csv", section: "partners")
        try f.add(
            csv: "key,title,direction,partners,date,status,topics,group,group_count\nv1,Exchange review,inbound,hy,2024-10,completed,a; b,Staff,3\n"
                + "v2,Unknown,inbound,Nobody,2020,completed,,,\n",
            file: "v.csv", section: "visits")
        try f.add(csv: "record,key,title,kind,partners,status,visits,coordinator_email\nagreements,x,Exchange,exchange,hy,active,v1,io@bit.example.cn\n", file: "a.csv", section: nil)
        f.resolveKeys()
        let v = JSONValue.object(f["visits"][0])
        #expect(v["partners"] == [["name": "Hanyang University", "kind": "university", "country": "KR"]])
        #expect(v["topics"] == ["a", "b"] && v["groups"] == [["description": "Staff", "count": 3]])
        #expect(f.problems.map(\.field) == ["partners[0]"], "Nobody is no partner of the import and has no kind or country")
        let a = f.agreementRows(visitIDs: ["v1": "del-1"])
        #expect(a[0]["links"] == [["delegation_id": "del-1"]] && a[0]["coordinator"]?["email"] == "io@bit.example.cn")
        #expect(throws: ImportError.self) { try f.add(csv: "key,name\n", file: "x.csv", section: nil) }
    }
}

/// What `liaison export` writes in a cell, read back by `import`.
@Suite struct CSVFieldTests {
    @Test(arguments: [
        ("plain", "plain"), ("a, b", "\"a, b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""), ("two\nlines", "\"two\nlines\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""), ("+1", "'+1"), ("@home", "'@home"), (" edge", "\" edge\""),
    ])
    func aFieldIsQuotedAndAFormulaKeptText(_ value: String, _ written: String) throws {
        #expect(CSV.field(value) == written)
        let back = try CSV.parse("h\r\n" + written + "\r\n")
        #expect(CSV.unguarded(back[1][0]) == value, "read back: \(back)")
    }

    @Test func anApostropheBeforeOrdinaryTextStays() {
        #expect(CSV.unguarded("'tis") == "'tis" && CSV.unguarded("'") == "'")
    }
}

/// The people sheet (issue 28.4): members, hosts and contacts as rows of their own, put into the
/// rows they name by key.
@Suite struct PeopleSheetTests {
    @Test func eachPersonGoesToTheRowTheirKeyNames() throws {
        var f = ImportFile()
        try f.add(csv: "key,name,kind,country\nhy,Hanyang University,university,KR\n", file: "p.csv", section: "partners")
        try f.add(csv: "key,title,direction,partners,date,status\nv1,Visit,inbound,hy,2024-10,completed\n", file: "v.csv", section: "visits")
        try f.add(
            csv: """
                visit,partner,as,name,email,languages,dietary,interpreter,unit
                v1,hy,,Kim Min-jun,kim@hy.example,ko;en,halal,yes,
                v1,,host,Li Wei,li@bit.example.cn,,,yes,International Office
                ,hy,,Lee Ji-eun,lee@hy.example,,,,
                v9,,,Nobody,,,,,
                v1,,guest,Someone,,,,,

                """,
            file: "people.csv",
            section: "people")
        f.mergePeople()
        let v = f["visits"][0]
        #expect(v["members"] == [["name": "Kim Min-jun", "email": "kim@hy.example", "languages": ["ko", "en"], "partner": "hy", "needs": ["dietary": "halal", "interpreter": true]]])
        #expect(v["hosts"] == [["name": "Li Wei", "email": "li@bit.example.cn", "unit": "International Office", "interpreter": true]])
        #expect(f["partners"][0]["people"] == [["name": "Lee Ji-eun", "email": "lee@hy.example"]])
        #expect(f.problems.map { "\($0.index) \($0.field)" } == ["3 visit", "4 as"], "\(f.problems)")
        #expect(f.origin("people", 3) == "people.csv row 5")
    }
}
