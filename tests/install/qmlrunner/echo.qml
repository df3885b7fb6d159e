// Run by test-install-qml.sh from an installed prefix: one message to the echo server and back.
import QtQml
import WsClient

WebSocketClient {
    id: socket

    required property url serverUrl
    readonly property string greeting: "hello from an installed WsClient"
    property Timer watchdog: Timer {
        interval: 20000
        running: true
        onTriggered: Qt.exit(4)
    }

    url: socket.serverUrl
    active: true
    onOpened: socket.sendTextMessage(socket.greeting)
    onTextMessageReceived: (message) => {
        console.log("echo:", message)
        Qt.exit(message === socket.greeting ? 0 : 1)
    }
    onErrorOccurred: (errorString) => {
        console.log("error:", errorString)
        Qt.exit(2)
    }
}
