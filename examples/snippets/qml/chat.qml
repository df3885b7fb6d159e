// The WebSocketClient element in a small chat window (docs/qml.md). Checked with qmllint.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WsClient

ApplicationWindow {
    id: window
    width: 480
    height: 360
    visible: true
    title: socket.status === WebSocketClient.Open ? qsTr("Chat (connected)") : qsTr("Chat")

    //! [element]
    WebSocketClient {
        id: socket
        url: "wss://chat.example/room/1"
        requestedSubprotocols: ["chat.v2", "chat"]
        headers: ({ "Authorization": "Bearer t0ken" })
        pingInterval: 20000 // ms; a ping every 20 s ...
        pingTimeout: 10000 // ... answered within 10 s
        reconnectDelay: 1000 // come back after drops: 1 s, 2 s, 4 s, ...
        compression: true // offer permessage-deflate
        active: true // connect now; false closes

        onTextMessageReceived: (message) => messages.append({ message: message })
        onBinaryMessageReceived: console.log("binary message received")
        onErrorOccurred: console.warn("WebSocket error:", socket.errorString)
        onClosed: (code, reason) => console.log("closed", code, reason)
        onReconnected: console.log("back online, subprotocol", socket.subprotocol)
    }
    //! [element]

    ListModel {
        id: messages
    }

    ColumnLayout {
        anchors.fill: parent

        ListView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            model: messages
            delegate: Label {
                required property string message
                text: message
            }
        }

        //! [send]
        RowLayout {
            TextField {
                id: input
                Layout.fillWidth: true
                enabled: socket.status === WebSocketClient.Open
                onAccepted: send.clicked()
            }
            Button {
                id: send
                text: qsTr("Send")
                enabled: socket.status === WebSocketClient.Open && input.text.length > 0
                onClicked: {
                    socket.sendTextMessage(input.text)
                    input.clear()
                }
            }
        }
        //! [send]

        //! [status]
        Label {
            text: {
                switch (socket.status) {
                case WebSocketClient.Connecting: return qsTr("connecting…")
                case WebSocketClient.Open: return qsTr("open, %1 bytes in, %2 out").arg(socket.bytesReceived).arg(socket.bytesSent)
                case WebSocketClient.Closing: return qsTr("closing…")
                case WebSocketClient.Error: return qsTr("error: %1").arg(socket.errorString)
                default: return qsTr("closed (%1 %2)").arg(socket.closeCode).arg(socket.closeReason)
                }
            }
        }
        //! [status]
    }
}
