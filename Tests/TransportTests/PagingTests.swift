import ServiceKit
import Testing
import Wire

@Suite("List paging: count, bytes and tokens (AIP-158)")
struct PagingTests {
    struct Item: Codable, Equatable {
        var id: String
        var text: String
    }

    let items = (1...10).map { Item(id: "i\($0)", text: String(repeating: "x", count: 100)) }

    @Test func pagesByCountUntilTheListEnds() throws {
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try Paging.page(items, key: \.id, pageSize: 4, pageToken: token, query: "q", maxBytes: 1 << 20)
            seen += page.items.map(\.id)
            token = page.nextPageToken
            pages += 1
        } while token != nil
        #expect(seen == items.map(\.id))
        #expect(pages == 3)
    }

    @Test func withoutAPageSizeEverythingThatFitsComesAtOnce() throws {
        let page = try Paging.page(items, key: \.id, pageSize: nil, pageToken: nil, query: "q", maxBytes: 1 << 20)
        #expect(page.items == items)
        #expect(page.nextPageToken == nil)
    }

    @Test func aPageStopsAtTheByteLimitAndTheNextGoesOn() throws {
        // Room for the overhead and about three items of ~120 bytes.
        let limit = 4096 + 400
        let first = try Paging.page(items, key: \.id, pageSize: nil, pageToken: nil, query: "q", maxBytes: limit)
        #expect(first.items.count == 3)
        let second = try Paging.page(
            items, key: \.id, pageSize: nil, pageToken: first.nextPageToken, query: "q", maxBytes: limit)
        #expect(second.items.first?.id == "i4")
    }

    @Test func anItemLargerThanTheLimitIsResourceExhausted() {
        #expect(throws: RPCError.self) {
            _ = try Paging.page(items, key: \.id, pageSize: nil, pageToken: nil, query: "q", maxBytes: 4096 + 50)
        }
    }

    @Test func tokensOfAnotherQueryOrGarbageAreRefusedNamingTheField() throws {
        let page = try Paging.page(items, key: \.id, pageSize: 2, pageToken: nil, query: "q", maxBytes: 1 << 20)
        for (token, query) in [(page.nextPageToken, "other"), ("not a token", "q")] {
            #expect {
                _ = try Paging.page(items, key: \.id, pageSize: 2, pageToken: token, query: query, maxBytes: 1 << 20)
            } throws: { error in
                (error as? RPCError)?.details.first?.field == "body.pageToken"
            }
        }
        #expect {
            _ = try Paging.page(items, key: \.id, pageSize: 0, pageToken: nil, query: "q", maxBytes: 1 << 20)
        } throws: { error in
            (error as? RPCError)?.details.first?.field == "body.pageSize"
        }
    }
}
