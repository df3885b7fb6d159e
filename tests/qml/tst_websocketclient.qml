// The WebSocketClient element against python3-websockets (started by tst_qml.cpp, reached through the
// context property `echoServer`): messages both ways, status transitions, the server's Close,
// reconnection across a server restart, request headers as the server saw them, failures.
import QtQuick
import QtTest
import WsClient

TestCase {
    id: testCase
    name: "WebSocketClient"

    readonly property int waitMs: 10000
    // The context property set by tst_qml.cpp; qmllint cannot see context properties.
    readonly property var server: echoServer // qmllint disable unqualified

    Component {
        id: clientComponent

        WebSocketClient {
            property var statuses: []
            onStatusChanged: (status) => statuses.push(status)
        }
    }

    Component {
        id: spyComponent
        SignalSpy {}
    }

    function init() {
        const why = server.prepare()
        if (why !== "") {
            if (server.required())
                fail(why)
            skip(why)
        }
    }

    function client(properties) {
        const c = createTemporaryObject(clientComponent, testCase, properties)
        verify(c, "WebSocketClient created")
        return c
    }

    function spy(target, signalName) {
        return createTemporaryObject(spyComponent, testCase, { target: target, signalName: signalName })
    }

    function openClient(properties) {
        properties.active = true
        const c = client(properties)
        tryCompare(c, "status", WebSocketClient.Open, waitMs)
        return c
    }

    function bytesOf(buffer) {
        return Array.from(new Uint8Array(buffer))
    }

    function codes(text) {
        return Array.from(text, (ch) => ch.charCodeAt(0))
    }

    function test_textEcho() {
        const c = openClient({ url: server.url("/echo") })
        const received = spy(c, "textMessageReceived")
        verify(c.sendTextMessage("héllo ✓"))
        received.wait(waitMs)
        compare(received.signalArguments[0][0], "héllo ✓")
        // Payload bytes as UTF-8: h é(2) l l o space ✓(3)
        compare(c.bytesSent, 10)
        compare(c.bytesReceived, 10)
    }

    function test_binaryEcho() {
        const c = openClient({ url: server.url("/echo") })
        const received = spy(c, "binaryMessageReceived")
        const sent = new Uint8Array([0, 1, 127, 128, 255])
        verify(c.sendBinaryMessage(sent.buffer))
        received.wait(waitMs)
        compare(bytesOf(received.signalArguments[0][0]), [0, 1, 127, 128, 255])
        compare(c.bytesSent, 5)
        compare(c.bytesReceived, 5)
    }

    function test_statusTransitions() {
        const closed = spy(null, "closed")
        const c = client({ url: server.url("/echo"), active: true })
        closed.target = c
        compare(c.statuses, [WebSocketClient.Connecting]) // starts at componentComplete, not before
        tryCompare(c, "status", WebSocketClient.Open, waitMs)
        c.close(1000, "done")
        compare(c.active, false)
        tryCompare(c, "status", WebSocketClient.Closed, waitMs)
        compare(c.statuses, [WebSocketClient.Connecting, WebSocketClient.Open, WebSocketClient.Closing,
                             WebSocketClient.Closed])
        compare(closed.count, 1)
        compare(closed.signalArguments[0][0], 1000)
        compare(c.closeCode, 1000)
    }

    function test_activeFalseThenTrueReopens() {
        const c = openClient({ url: server.url("/echo") })
        const opened = spy(c, "opened")
        c.active = false
        compare(c.status, WebSocketClient.Closing)
        c.active = true // while the first connection is still closing
        opened.wait(waitMs)
        compare(c.status, WebSocketClient.Open)
        compare(c.active, true)
    }

    function test_serverCloseReachesClosed() {
        const c = client({ url: server.url("/close?code=4001&reason=bye"), reconnectDelay: 100 })
        const closed = spy(c, "closed")
        const errors = spy(c, "errorOccurred")
        c.open()
        closed.wait(waitMs)
        compare(closed.signalArguments[0][0], 4001)
        compare(closed.signalArguments[0][1], "bye")
        compare(c.closeCode, 4001)
        compare(c.closeReason, "bye")
        compare(c.status, WebSocketClient.Closed) // a normal end: no reconnect, not an error
        compare(c.active, false)
        compare(errors.count, 0)
    }

    function test_reconnectAfterServerRestart() {
        const c = openClient({ url: server.url("/echo"), reconnectDelay: 100 })
        const reconnected = spy(c, "reconnected")
        const errors = spy(c, "errorOccurred")
        const closed = spy(c, "closed")
        verify(server.stop())
        tryCompare(c, "status", WebSocketClient.Error, waitMs) // dropped, waiting to reconnect
        verify(errors.count > 0)
        compare(c.closeCode, 1006)
        compare(c.active, true)
        verify(server.restart())
        reconnected.wait(waitMs)
        compare(c.status, WebSocketClient.Open)
        compare(closed.count, 0)

        const received = spy(c, "textMessageReceived")
        verify(c.sendTextMessage("after restart"))
        received.wait(waitMs)
        compare(received.signalArguments[0][0], "after restart")
    }

    function test_headersSeenByServer() {
        const c = client({
            url: server.url("/headers"),
            headers: { "X-Test": "42", "Authorization": "Bearer t0ken" },
            origin: "https://app.example",
            requestedSubprotocols: ["x-none", "chat"],
            compression: true
        })
        const received = spy(c, "textMessageReceived")
        c.open()
        received.wait(waitMs)
        const seen = JSON.parse(received.signalArguments[0][0])
        compare(seen.headers["x-test"], "42")
        compare(seen.headers["authorization"], "Bearer t0ken")
        compare(seen.headers["origin"], "https://app.example")
        compare(seen.headers["sec-websocket-protocol"], "x-none, chat")
        verify(seen.headers["sec-websocket-extensions"].indexOf("permessage-deflate") >= 0)
        compare(seen.subprotocol, "chat")
        compare(c.subprotocol, "chat")
    }

    function test_headersAsList() {
        const c = client({ url: server.url("/headers"), headers: ["X-One: 1", "X-Two: two words"] })
        const received = spy(c, "textMessageReceived")
        c.open()
        received.wait(waitMs)
        const seen = JSON.parse(received.signalArguments[0][0])
        compare(seen.headers["x-one"], "1")
        compare(seen.headers["x-two"], "two words")
        verify(seen.headers["origin"] !== undefined) // the default Origin is still sent
    }

    function test_headersOfAnotherTypeAreReported() {
        const c = client({})
        const errors = spy(c, "errorOccurred")
        c.headers = 42
        compare(errors.count, 1)
        verify(c.errorString.indexOf("headers must be") >= 0, c.errorString)
        compare(c.status, WebSocketClient.Closed)
    }

    function test_invalidUrlIsAnError_data() {
        return [
            { tag: "http scheme", url: "http://127.0.0.1:1/", why: "unsupported scheme 'http'" },
            { tag: "no host", url: "ws:///path", why: "has no host" },
            { tag: "empty", url: "", why: "empty URL" },
        ]
    }

    function test_invalidUrlIsAnError(data) {
        const c = client({ url: data.url, reconnectDelay: 100 })
        const errors = spy(c, "errorOccurred")
        const closed = spy(c, "closed")
        c.active = true
        tryCompare(c, "status", WebSocketClient.Error, waitMs)
        verify(c.errorString.indexOf(data.why) >= 0, c.errorString)
        compare(errors.signalArguments[0][0], c.errorString)
        closed.wait(waitMs) // InvalidUrl is never retried: the element stops
        compare(c.active, false)
        compare(c.status, WebSocketClient.Error)
    }

    function test_invalidKeepaliveSettingsAreAnError() {
        const c = client({ url: server.url("/echo"), pingInterval: 100, pingTimeout: 200 })
        c.active = true
        compare(c.status, WebSocketClient.Error)
        compare(c.active, false)
        verify(c.errorString.indexOf("pingInterval") >= 0, c.errorString)
    }

    function test_urlChangeMovesTheConnection() {
        const c = openClient({ url: server.url("/echo") })
        const reconnected = spy(c, "reconnected")
        const closed = spy(c, "closed")
        const received = spy(c, "textMessageReceived")
        c.url = server.url("/headers?moved=1")
        reconnected.wait(waitMs)
        received.wait(waitMs)
        compare(JSON.parse(received.signalArguments[0][0]).path, "/headers?moved=1")
        compare(c.closeCode, 1001) // the old connection left with Going Away
        compare(closed.count, 0) // the element did not stop
        compare(c.active, true)
        compare(c.status, WebSocketClient.Open)
    }

    function test_sendWhileClosedIsRefused() {
        const c = client({ url: server.url("/echo") })
        const errors = spy(c, "errorOccurred")
        verify(!c.sendTextMessage("nobody listens"))
        verify(!c.sendBinaryMessage(new Uint8Array([1]).buffer))
        compare(errors.count, 2)
        verify(c.errorString.indexOf("not sent") >= 0, c.errorString)
        compare(c.status, WebSocketClient.Closed) // a refused send is not a failed connection
        compare(c.bytesSent, 0)
    }

    function test_pingAndPong() {
        const c = client({ url: server.url("/ping?payload=hey") })
        const pings = spy(c, "pingReceived")
        const pongs = spy(c, "pongReceived")
        c.open()
        pings.wait(waitMs)
        compare(bytesOf(pings.signalArguments[0][0]), codes("hey"))
        verify(c.ping("abc"))
        pongs.wait(waitMs)
        compare(bytesOf(pongs.signalArguments[0][0]), codes("abc"))
        verify(c.ping(new Uint8Array([0, 255]).buffer))
        tryCompare(pongs, "count", 2, waitMs)
        compare(bytesOf(pongs.signalArguments[1][0]), [0, 255])
        const errors = spy(c, "errorOccurred")
        verify(!c.ping("x".repeat(126))) // a control frame carries at most 125 bytes
        compare(errors.count, 1)
        verify(!c.ping(new Uint8Array([1]))) // not silently sent as the text "1"
        compare(errors.count, 2)
        verify(c.errorString.indexOf("ArrayBuffer") >= 0, c.errorString)
        compare(c.status, WebSocketClient.Open)
    }

    function test_closeWithAnInvalidCodeOrReasonIsRefused() {
        const c = openClient({ url: server.url("/echo") })
        const errors = spy(c, "errorOccurred")
        c.close(1005, "")
        compare(errors.count, 1)
        verify(c.errorString.indexOf("1005") >= 0, c.errorString)
        c.close(1000, "x".repeat(124)) // 2 + 124 bytes: over the 125 of a control frame
        compare(errors.count, 2)
        verify(c.errorString.indexOf("124 bytes") >= 0, c.errorString)
        compare(c.active, true)
        compare(c.status, WebSocketClient.Open)
    }
}
