// The window of examples/qml-chat: a WebSocketClient, a line to type into, the conversation and a
// status line. Checked with qmllint (ctest qmllint_qml_chat); tests/qml/tst_qmlchat drives it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WsClient

ApplicationWindow {
    id: window

    property url serverUrl: "ws://127.0.0.1:8765/"

    function note(text: string) {
        messages.append({ kind: "info", message: text })
    }

    function send() {
        if (input.text.length === 0)
            return
        if (socket.sendTextMessage(input.text)) {
            messages.append({ kind: "out", message: input.text })
            input.clear()
        }
    }

    width: 520
    height: 400
    visible: true
    title: qsTr("WsClient chat")

    WebSocketClient {
        id: socket
        objectName: "socket"
        url: window.serverUrl
        pingInterval: 20000 // a ping every 20 s, answered within 10 s, or the connection is dropped
        pingTimeout: 10000
        reconnectDelay: 1000 // and then retried after 1 s, 2 s, 4 s, ...
        active: true

        onOpened: window.note(qsTr("connected to %1").arg(socket.url))
        onReconnected: window.note(qsTr("connected again to %1").arg(socket.url))
        onTextMessageReceived: (message) => messages.append({ kind: "in", message: message })
        onBinaryMessageReceived: (message) => messages.append({
            kind: "in", message: qsTr("(%1 bytes of binary data)").arg(message.byteLength) })
        onErrorOccurred: (errorString) => window.note(qsTr("error: %1").arg(errorString))
        onClosed: (code, reason) => window.note(qsTr("closed: %1 %2").arg(code).arg(reason))
    }

    ListModel {
        id: messages
        objectName: "messages"
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8

        RowLayout {
            Layout.fillWidth: true

            TextField {
                id: address
                objectName: "urlField"
                Layout.fillWidth: true
                text: window.serverUrl
                selectByMouse: true
                // A new URL while connected moves the connection there.
                onAccepted: window.serverUrl = address.text
            }
            Button {
                objectName: "connectButton"
                text: socket.active ? qsTr("Disconnect") : qsTr("Connect")
                onClicked: {
                    if (socket.active) {
                        socket.close(1000, "bye")
                    } else {
                        window.serverUrl = address.text
                        socket.open()
                    }
                }
            }
        }

        ListView {
            id: conversation
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: messages
            onCountChanged: conversation.positionViewAtEnd()

            delegate: Item {
                id: row
                required property string kind
                required property string message

                width: ListView.view.width
                height: bubble.height + 6

                Rectangle {
                    id: bubble
                    x: row.kind === "out" ? row.width - bubble.width - 4 : 4
                    y: 3
                    width: Math.min(line.implicitWidth + 16, row.width * 0.8)
                    height: line.implicitHeight + 10
                    radius: 8
                    color: row.kind === "out" ? "#cfe6ff" : row.kind === "in" ? "#e8e8e8" : "transparent"

                    Label {
                        id: line
                        x: 8
                        y: 5
                        width: bubble.width - 16
                        text: row.message
                        wrapMode: Text.Wrap
                        color: row.kind === "info" ? "#707070" : "#101010"
                        font.italic: row.kind === "info"
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true

            TextField {
                id: input
                objectName: "messageField"
                Layout.fillWidth: true
                placeholderText: qsTr("Message")
                enabled: socket.status === WebSocketClient.Open
                focus: true
                onAccepted: window.send()
            }
            Button {
                objectName: "sendButton"
                text: qsTr("Send")
                enabled: socket.status === WebSocketClient.Open && input.text.length > 0
                onClicked: window.send()
            }
        }

        Label {
            objectName: "statusLine"
            Layout.fillWidth: true
            elide: Text.ElideRight
            text: {
                switch (socket.status) {
                case WebSocketClient.Connecting: return qsTr("connecting to %1…").arg(socket.url)
                case WebSocketClient.Open: return qsTr("open (%1), %2 bytes in, %3 out")
                    .arg(socket.subprotocol || qsTr("no subprotocol")).arg(socket.bytesReceived).arg(socket.bytesSent)
                case WebSocketClient.Closing: return qsTr("closing…")
                case WebSocketClient.Error: return qsTr("error: %1").arg(socket.errorString)
                default: return qsTr("closed (%1 %2)").arg(socket.closeCode).arg(socket.closeReason)
                }
            }
        }
    }
}
