// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title A bank that pays vouchers its owner signs off the chain.
/// @notice Level 11-security/signature-replay. The owner signs voucherHash(to, amount, nonce)
/// as an Ethereum signed message (eth_sign / personal_sign); anyone holding the signature may
/// redeem it, and the bank pays `amount` wei to `to`.
contract VoucherBank {
    /// @notice Whose signature makes a voucher valid: the deployer's.
    address public immutable signer;

    event Redeemed(address indexed to, uint256 amount, uint256 nonce);

    error BadSignature(address recovered);
    error PaymentFailed(address to, uint256 amount);

    constructor() {
        signer = msg.sender;
    }

    /// @notice Anyone may fund the bank.
    receive() external payable {}

    /// @notice What the signer signs for a voucher paying `amount` wei to `to`.
    function voucherHash(address to, uint256 amount, uint256 nonce) public view returns (bytes32) {
        return keccak256(abi.encodePacked(address(this), to, amount, nonce));
    }

    /// @notice Pay a voucher the signer signed.
    function redeem(address payable to, uint256 amount, uint256 nonce, bytes calldata signature)
        external
    {
        bytes32 digest = keccak256(
            abi.encodePacked("\x19Ethereum Signed Message:\n32", voucherHash(to, amount, nonce))
        );
        address recovered = _recover(digest, signature);
        if (recovered != signer) revert BadSignature(recovered);
        (bool ok, ) = to.call{value: amount}("");
        if (!ok) revert PaymentFailed(to, amount);
        emit Redeemed(to, amount, nonce);
    }

    function _recover(bytes32 digest, bytes calldata signature) internal pure returns (address) {
        require(signature.length == 65, "a signature is 65 bytes: r, s, v");
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(digest, v, r, s);
    }
}
